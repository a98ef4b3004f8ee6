// After the lab end-to-end tests: a lab they brought up is taken down, with its stack state; a
// lab that was running before is left running, every host started.
import * as fs from "fs";
import { lab, LAB_STACK, status } from "../fixtures/lab";
import { pulumi } from "../fixtures/pulumiCli";
import { MARKER } from "./globalSetup";

export default function globalTeardown(): void {
  if (fs.existsSync(MARKER)) {
    lab(["down"]);
    pulumi(["stack", "rm", LAB_STACK, "--force", "--yes", "--preserve-config"]);
    fs.rmSync(MARKER, { force: true });
    return;
  }
  for (const host of status().hosts.filter((h) => !h.running)) lab(["start", host.name]);
}
