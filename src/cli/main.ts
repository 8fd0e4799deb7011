#!/usr/bin/env node
import { environmentWithDotEnv } from "../config";
import { runCli } from "./program";

runCli(process.argv.slice(2), { env: environmentWithDotEnv() }).then((code) => {
  process.exitCode = code;
});
