// Before the lab end-to-end tests: remember whether a lab was already running, so that the
// teardown removes only a lab the tests brought up themselves. Hosts that exist but none of
// which runs are what a killed session leaves (every process gone, disks perhaps mid-write):
// they are removed first, so that the tests start from fresh hosts.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HOSTS_DIR, labOk, REPO_IMAGE_VERSION, status, UP_LOGS } from "../fixtures/lab";

export const MARKER = path.join(os.tmpdir(), "kubeha-e2e-brought-up-lab");

/** Lab hosts made from an older image than scripts/lab/image.sh's (they lack its packages). */
function outdatedHosts(): string[] {
  if (!fs.existsSync(HOSTS_DIR)) return [];
  return fs.readdirSync(HOSTS_DIR).filter((name) => {
    const file = path.join(HOSTS_DIR, name, "image");
    return !name.startsWith(".") && fs.existsSync(file) && fs.readFileSync(file, "utf8").trim() !== REPO_IMAGE_VERSION;
  });
}

export default function globalSetup(): void {
  fs.rmSync(UP_LOGS, { force: true });
  const outdated = outdatedHosts();
  if (outdated.length > 0) {
    console.log(`\n[kubeha e2e] lab hosts ${outdated.join(" ")} were made from an older lab image than image-${REPO_IMAGE_VERSION}: removing the lab first`);
    labOk(["down"]);
  }
  if (status().hosts.some((h) => h.running)) {
    fs.rmSync(MARKER, { force: true });
    return;
  }
  const disks = fs.existsSync(HOSTS_DIR) ? fs.readdirSync(HOSTS_DIR).filter((name) => !name.startsWith(".")) : [];
  if (disks.length > 0) {
    console.log(`\n[kubeha e2e] lab hosts ${disks.join(" ")} exist but none runs: removing them first`);
    labOk(["down"]);
  }
  fs.writeFileSync(MARKER, new Date().toISOString());
}
