import { TEST_POSTGRES_URL } from "./databases";
import { endTestRun, RUN_ID_VARIABLE } from "./test-run";

/** After every test file: the suite leaves no temporary folder and no PostgreSQL database (templates included). */
export default async function globalTeardown(): Promise<void> {
  const id = process.env[RUN_ID_VARIABLE];
  const folder = process.env.RECEIVER_TEST_RUN_FOLDER;
  if (id && folder) await endTestRun({ id, folder }, TEST_POSTGRES_URL);
}
