// End-to-end, issue 12 parts 1 and 4: the lab stack verifies its hosts' real SSH keys (the lab
// writes them to kubeha:knownHostsFile from the hosts' disks). Another sshd answering on a host's
// address, and the same sshd with new keys, are refused before anything is sent; an ed25519 key
// pinned on a host that also has ECDSA and RSA keys works; a host that freezes mid-step fails that
// step within the keepalive bound, and once thawed a re-run converges.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { describeWithPlugins, pulumi, pulumiInBackground } from "../fixtures/pulumiCli";
import { changedOperations, labOk, LAB_STACK, lastUpdate, ssh, sshOk, STACK_FILE, up, upOk, useDeployedLab, waitFor } from "../fixtures/lab";

jest.setTimeout(900000);

const describeReal = describeWithPlugins("host trust end-to-end tests");

const HOST = "w1";
const FROZEN = "w2";
const probeUrn = (host: string) => `urn:pulumi:${LAB_STACK}::kubeha::kubeha:index:HostInventory$command:remote:Command::kubeha-hosts-${host}-reachable`;

/** Re-runs only the host's SSH probe: the cheapest step that connects to it. */
function reprobe(host: string) {
  const urn = probeUrn(host);
  return up(["--target", urn, "--replace", urn]);
}

function hostKeysOutput(): Record<string, string> {
  const out = pulumi(["stack", "output", "hostKeys", "--stack", LAB_STACK, "--json"]);
  if (out.status !== 0) throw new Error(`pulumi stack output failed:\n${out.stderr}`);
  return JSON.parse(out.stdout) as Record<string, string>;
}

/** The ed25519 key's fingerprint that whatever answers on the address presents (ssh-keyscan), or "". */
function presentedFingerprint(address: string): string {
  const scan = spawnSync("bash", ["-c", `ssh-keyscan -T 3 -t ed25519 ${address} 2>/dev/null | ssh-keygen -lf - | cut -d' ' -f2`], { encoding: "utf8", timeout: 10000 });
  return (scan.stdout ?? "").trim();
}

const fingerprintOn = (host: string, type: string) => sshOk(host, `ssh-keygen -lf /etc/ssh/ssh_host_${type}_key.pub | cut -d' ' -f2`).trim();

describeReal("SSH host keys and bounded steps in the lab", () => {
  let address: string;
  beforeAll(() => {
    useDeployedLab();
    address = sshOk(HOST, "hostname -I").trim().split(/\s+/)[0];
  });

  test("every host's connection verifies the keys its disk holds (kubeha:knownHostsFile)", () => {
    const shown = hostKeysOutput();
    for (const [host, text] of Object.entries(shown)) {
      expect(text).toMatch(/\(from kubeha:knownHostsFile\)$/);
      for (const type of ["ed25519", "ecdsa", "rsa"]) expect({ host, text }).toEqual({ host, text: expect.stringContaining(fingerprintOn(host, type)) });
    }
  });

  test("another sshd answering on a host's address is refused at once, naming the host and both fingerprints", async () => {
    const real = fingerprintOn(HOST, "ed25519");
    // Another machine on the address: the real sshd stopped, one with keys of its own in its place
    // (root's authorized_keys are the same, so the lab's own ssh still reaches it to clean up).
    sshOk(HOST, "rm -rf /run/impostor && mkdir -p /run/impostor && for t in ed25519 ecdsa rsa; do ssh-keygen -q -t $t -N '' -f /run/impostor/key_$t; done");
    const impostor = ["ed25519", "ecdsa", "rsa"].map((t) => sshOk(HOST, `ssh-keygen -lf /run/impostor/key_${t}.pub | cut -d' ' -f2`).trim());
    sshOk(
      HOST,
      `systemd-run --unit kubeha-impostor --property=ExecStopPost="/bin/systemctl start ssh.service" /bin/sh -c 'systemctl stop ssh.service; mkdir -p /run/sshd; exec /usr/sbin/sshd -D ${["ed25519", "ecdsa", "rsa"].map((t) => `-h /run/impostor/key_${t}`).join(" ")}'`,
    );
    try {
      await waitFor("the impostor sshd answers", () => presentedFingerprint(address) === impostor[0], 20000);
      const started = Date.now();
      const result = reprobe(HOST);
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      for (const text of [`host key verification failed for ${address}:22`, real, `kubeha-hosts-${HOST}-reachable`, "Nothing was sent"]) expect(output).toContain(text);
      // It presents its key of the first algorithm the client offers (the recorded keys' order).
      expect(impostor.filter((fp) => output.includes(`it presented`) && output.includes(fp))).toHaveLength(1);
      console.log(`an impostor sshd on ${HOST}: pulumi up refused it in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      ssh(HOST, "systemctl stop kubeha-impostor"); // ends this session too; ExecStopPost starts the real sshd
      await waitFor("the real sshd answers again", () => presentedFingerprint(address) === real, 30000);
    }
    upOk(["--target", probeUrn(HOST), "--replace", probeUrn(HOST)]);
  });

  test("the same sshd with new keys is refused; with its old keys back, the host is reached again", () => {
    sshOk(HOST, "mkdir -p /root/kubeha-keys && cp -a /etc/ssh/ssh_host_* /root/kubeha-keys/ && rm -f /etc/ssh/ssh_host_* && ssh-keygen -A && systemctl restart ssh");
    const changed = ["ed25519", "ecdsa", "rsa"].map((type) => fingerprintOn(HOST, type));
    try {
      const result = reprobe(HOST);
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      expect(output).toContain(`host key verification failed for ${address}:22`);
      // It presents its new key of the first algorithm the client offers (the recorded keys' order).
      expect(changed.filter((fp) => output.includes(fp))).toHaveLength(1);
    } finally {
      sshOk(HOST, "cp -a /root/kubeha-keys/ssh_host_* /etc/ssh/ && rm -rf /root/kubeha-keys && systemctl restart ssh");
    }
    upOk(["--target", probeUrn(HOST), "--replace", probeUrn(HOST)]);
  });

  test("an ed25519 key pinned on a host that also has ECDSA and RSA keys is negotiated and verified", () => {
    const key = sshOk(HOST, "awk '{print $1, $2}' /etc/ssh/ssh_host_ed25519_key.pub").trim();
    expect(sshOk(HOST, "ls /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_rsa_key.pub").trim().split("\n")).toHaveLength(2);
    const original = fs.readFileSync(STACK_FILE, "utf8");
    const pinnedLine = new RegExp(`(- \\{name: ${HOST}, [^}]*)\\}`);
    expect(original).toMatch(pinnedLine);
    fs.writeFileSync(STACK_FILE, original.replace(pinnedLine, `$1, hostKey: "${key}"}`));
    try {
      upOk(["--target", probeUrn(HOST), "--replace", probeUrn(HOST)]);
      expect(hostKeysOutput()[HOST]).toBe(`ssh-ed25519 ${fingerprintOn(HOST, "ed25519")} (pinned in config)`);
    } finally {
      fs.writeFileSync(STACK_FILE, original);
    }
  });

  test("a host that freezes mid-step fails that step within the keepalive bound, naming host and step; thawed, a re-run converges", async () => {
    // The probe's `cat /etc/os-release` blocks on a FIFO: the step is running when the host freezes.
    sshOk(FROZEN, "cp -aL /etc/os-release /root/kubeha-os-release && rm -f /etc/os-release && mkfifo /etc/os-release");
    const frozenAddress = sshOk(FROZEN, "hostname -I").trim().split(/\s+/)[0];
    try {
      const running = pulumiInBackground(["up", "--stack", LAB_STACK, "--yes", "--skip-preview", "--target", probeUrn(FROZEN), "--replace", probeUrn(FROZEN)]);
      await waitFor("the probe's cat blocks on the FIFO", () => ssh(FROZEN, "pgrep -fx 'cat /etc/os-release'").status === 0, 120000, 500);
      labOk(["freeze", FROZEN]);
      const froze = Date.now();
      const result = await running;
      const failedAfter = (Date.now() - froze) / 1000;
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      expect(output).toContain(`command on ${frozenAddress} failed: ${frozenAddress} did not answer SSH keepalives`);
      expect(output).toContain(`kubeha-hosts-${FROZEN}-reachable`);
      console.log(`${FROZEN} frozen mid-step: the step failed ${failedAfter.toFixed(1)} s later`);
      // The keepalives' bound (5 s interval, 15 s without an answer), far below the 20-minute step timeout.
      expect(failedAfter).toBeLessThan(60);
    } finally {
      labOk(["thaw", FROZEN]);
      sshOk(FROZEN, "rm -f /etc/os-release && mv /root/kubeha-os-release /etc/os-release");
    }
    upOk(["--target", probeUrn(FROZEN), "--replace", probeUrn(FROZEN)]);
    upOk();
    expect(changedOperations(lastUpdate())).toEqual([]);
  });
});
