// The reachability probe checks, for a non-root kubeha:sshUser, that sudo works without a password:
// run here with a stub sudo that succeeds or fails.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { reachableCommand } from "../../components/host/hostInventory";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-sudo-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function probe(user: string, sudoStatus: number) {
  fs.writeFileSync(path.join(dir, "sudo"), `#!/bin/sh\nexit ${sudoStatus}\n`, { mode: 0o755 });
  return spawnSync("sh", ["-c", reachableCommand(user)], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin` } });
}

test("root: the probe is unchanged (no sudo)", () => {
  expect(reachableCommand("root")).toBe("uname -srm && cat /etc/os-release | grep ^PRETTY_NAME=");
});

test("a non-root user with passwordless sudo passes", () => {
  expect(probe("deploy", 0).status).toBe(0);
});

test("a non-root user without passwordless sudo fails, naming the user and the fix", () => {
  const result = probe("deploy", 1);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    "kubeha: deploy cannot run sudo without a password here, and kubeha's steps need root. Fix: give deploy passwordless sudo (sudoers: deploy ALL=(ALL) NOPASSWD: ALL), or set kubeha:sshUser root.",
  );
});
