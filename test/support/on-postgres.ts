import { databaseProviders } from "./databases";

// Not in databases.ts: the global teardown and the crash test load that one outside Jest, where `describe` does not exist.
const withPostgres = databaseProviders().includes("postgresql");
/** `describe` and `test` for what needs PostgreSQL: skipped where databaseProviders() leaves it out. */
export const describeOnPostgres = withPostgres ? describe : describe.skip;
export const testOnPostgres = withPostgres ? test : test.skip;
