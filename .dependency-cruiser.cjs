/** Import rules checked by .ci/run (npm run lint:deps): no cycles between files or between src/ folders, and the
 *  Douane domain stays pure. */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "a cycle between files", from: {}, to: { circular: true } },
    {
      name: "douane-is-pure",
      severity: "error",
      comment: "src/douane/ holds the message contracts: no HTTP, no database, no other component",
      from: { path: "^src/douane/" },
      to: { path: ["^src/(db|http|intake|internal|messages|quarantine|tokens|delivery|outbound|console|cli|basepaths|status|upkeep|simulator)/", "^src/generated/", "node_modules/(express|helmet|@prisma|pg|better-sqlite3|pino)"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
