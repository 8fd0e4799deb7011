import { defineConfig } from "prisma/config";
import { pgMigrateAdapter } from "./prisma/pg-migrate-adapter";
import { sqliteMigrateAdapter } from "./prisma/sqlite-migrate-adapter";

// The same rule as src/config.ts: a postgres:// or postgresql:// DATABASE_URL selects PostgreSQL.
const url = process.env.DATABASE_URL ?? "file:./data/receiver.db";
const provider = /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: `prisma/${provider}`, // folder: <provider>/schema.prisma + models.prisma (symlink to ../models.prisma)
  migrations: { path: `prisma/${provider}/migrations` },
  adapter: async () => (provider === "sqlite" ? sqliteMigrateAdapter(url) : pgMigrateAdapter(url)),
});
