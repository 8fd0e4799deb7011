import path from "node:path";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** A worker thread running the module `name` of `folder`: its .js file from compiled JavaScript; from TypeScript
 *  (tests, tsx) its .ts file, compiled on load. */
export function startThread(folder: string, name: string, options: WorkerOptions): Worker {
  const compiled = __filename.endsWith(".js");
  const file = path.join(folder, `${name}${compiled ? ".js" : ".ts"}`);
  if (compiled) return new Worker(file, options);
  const load = `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(file)});`;
  return new Worker(load, { ...options, eval: true });
}
