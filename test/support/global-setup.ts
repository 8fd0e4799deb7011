import { startTestRun } from "./test-run";

/** Before every test file: the run's id and temporary folder, inherited by the workers through the environment. */
export default function globalSetup(): void {
  startTestRun();
}
