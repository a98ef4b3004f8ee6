// Before the lab end-to-end tests: remember whether a lab was already running, so that the
// teardown removes only a lab the tests brought up themselves.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { status } from "../fixtures/lab";

export const MARKER = path.join(os.tmpdir(), "kubeha-e2e-brought-up-lab");

export default function globalSetup(): void {
  const running = status().hosts.some((h) => h.running);
  if (running) fs.rmSync(MARKER, { force: true });
  else fs.writeFileSync(MARKER, new Date().toISOString());
}
