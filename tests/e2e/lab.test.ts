// End-to-end: the program deploys the whole HA cluster onto real lab hosts (systemd-nspawn,
// scripts/lab), then etcd and the load-balancer pair are checked and faults injected. Reuses a
// running lab; the e2e global teardown (tests/e2e/globalTeardown.ts) takes down a lab the tests brought up.
// The Kubernetes side (nodes, leases, master failover) is in cluster.test.ts.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PATHS } from "../../plan/paths";
import { describeWithPlugins, pulumi, REPO, selectStack } from "../fixtures/pulumiCli";
import {
  changedOperations,
  ETCDCTL,
  HOSTS_DIR,
  lab,
  labOk,
  LAB_STACK,
  lastUpdate,
  LB_PORT,
  masters,
  masterTransitions,
  ssh,
  sshOk,
  stateResourceCount,
  STACK_FILE,
  status,
  up,
  UP_LOGS,
  upOk,
  useDeployedLab,
  VIP,
  vipHolders,
  waitFor,
} from "../fixtures/lab";
import { kubectlOk } from "../fixtures/cluster";

jest.setTimeout(900000);

const describeReal = describeWithPlugins("lab end-to-end tests");

describeReal("lab end-to-end", () => {
  let originalConfig: string;

  beforeAll(() => {
    labOk(["up"]);
    originalConfig = fs.readFileSync(STACK_FILE, "utf8");
  });

  afterAll(() => {
    if (originalConfig) fs.writeFileSync(STACK_FILE, originalConfig);
  });

  describe("deploy", () => {
    test("from fresh hosts, a pulumi up killed during kubeadm init converges when run again", async () => {
      // Fresh hosts: the whole bootstrap runs, and is cut in its most delicate step. A state left
      // from the old hosts would plan "unchanged" over empty ones: match-state.sh (as `npm start`
      // runs it) must drop it.
      labOk(["down"]);
      labOk(["up"]);
      selectStack(LAB_STACK);
      expect(spawnSync("bash", [path.join(REPO, "scripts/lab/match-state.sh"), LAB_STACK], { cwd: REPO }).status).toBe(0);
      expect(stateResourceCount()).toBe(0);
      const child = spawn("bash", [path.join(REPO, "scripts/pulumi.sh"), "up", "--stack", LAB_STACK, "--yes", "--skip-preview", "--non-interactive"], { cwd: REPO, detached: true });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      await waitFor("kubeadm init to start", () => /kubeha-cp-m1-kubeadm-init\s+creating/.test(output) || child.exitCode !== null, 600000, 250);
      expect({ exited: child.exitCode, tail: child.exitCode === null ? "" : output.slice(-3000) }).toEqual({ exited: null, tail: "" });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      process.kill(-child.pid!, "SIGKILL");
      await new Promise((resolve) => child.on("close", resolve));
      // A killed CLI leaves its lock behind: `pulumi cancel` releases it, as a user would. The
      // interrupted steps are pending operations, which the next up runs again.
      expect(pulumi(["cancel", "--stack", LAB_STACK, "--yes"]).status).toBe(0);
      const rerun = up();
      expect({ status: rerun.status, tail: rerun.status === 0 ? "" : `${rerun.stdout}${rerun.stderr}`.slice(-3000) }).toEqual({ status: 0, tail: "" });
      expect(sshOk("m1", "cat /var/log/kubeha/kubeadm-init.log")).toContain("Your Kubernetes control-plane has initialized successfully");
    });

    test("a second pulumi up with no change changes nothing", () => {
      upOk();
      const summary = lastUpdate();
      expect(summary.result).toBe("succeeded");
      expect(changedOperations(summary)).toEqual([]);
    });
  });

  describe("secrets", () => {
    beforeAll(() => useDeployedLab());

    test("no secret value of the state appears in plain text in the state, in this run's up logs, or (tokens) in kubeha's files on the hosts", () => {
      const revealed = pulumi(["stack", "export", "--stack", LAB_STACK, "--show-secrets"]);
      const plain = pulumi(["stack", "export", "--stack", LAB_STACK]);
      expect(revealed.status).toBe(0);
      expect(plain.status).toBe(0);
      const secrets = secretValues(JSON.parse(revealed.stdout));
      // The bootstrap token of the last joins, rendered into the issue and join steps' secret scripts.
      const tokens = [...new Set(secrets.flatMap((v) => [...v.matchAll(/^TOKEN="([a-z0-9]{6}\.[a-z0-9]{16})"$/gm)].map((m) => m[1])))];
      expect(tokens).toHaveLength(1);
      const values = [...secrets, ...tokens, ...tokens.map((t) => t.split(".")[1])];
      // The SSH key, CA keys, the token halves, the VRRP password and the kubeconfig at least.
      expect(values.length).toBeGreaterThan(10);
      const logs = fs.existsSync(UP_LOGS) ? fs.readFileSync(UP_LOGS, "utf8") : "";
      expect(logs.length).toBeGreaterThan(1000);
      for (const value of values) {
        expect({ value: value.slice(0, 12), inState: plain.stdout.includes(value), inUpLogs: logs.includes(value) }).toEqual({ value: value.slice(0, 12), inState: false, inUpLogs: false });
      }
      // Bootstrap tokens on disk: none anywhere, and none left in the cluster: kubeha's revoked after
      // the joins, kubeadm init's own deleted after init (also after lab.test's init killed midway).
      for (const host of status().hosts.map((h) => h.name)) {
        const found = ssh(host, "grep -rlE '\\b[a-z0-9]{6}\\.[a-z0-9]{16}\\b' /etc/kubeha /var/log/kubeha 2>/dev/null || true")
          .stdout.trim()
          .split("\n")
          .filter((l) => l !== "");
        expect({ host, found }).toEqual({ host, found: [] });
      }
      expect(kubectlOk(["-n", "kube-system", "get", "secrets", "--field-selector", "type=bootstrap.kubernetes.io/token", "-o", "name"]).trim()).toBe("");
    });

    test("the state holds no private key, token or kubeconfig in plain text", () => {
      const state = pulumi(["stack", "export", "--stack", LAB_STACK]);
      expect(state.status).toBe(0);
      expect(state.stdout).not.toMatch(/PRIVATE KEY|client-key-data|\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
      expect(state.stdout).toContain("ciphertext");
    });

    test("keys, tokens and passwords on the hosts are 0600", () => {
      const modes = sshOk("m1", "stat -c '%a %n' /etc/etcd/pki/*.key /etc/kubernetes/pki/*.key /etc/keepalived/kubeha-auth.conf /etc/kubeha/kubeadm-init.yaml");
      const lines = modes.trim().split("\n");
      expect(lines.length).toBeGreaterThan(6);
      for (const line of lines) expect(line).toMatch(/^600 /);
      expect(sshOk("w1", "stat -c '%a' /etc/kubeha/kubeadm-join.yaml").trim()).toBe("600");
    });
  });

  describe("etcd", () => {
    beforeAll(() => useDeployedLab());

    const members = () => masters();

    test("has three members, all healthy over TLS", () => {
      const endpoints = members()
        .map((_, i) => `https://10.77.0.1${i + 1}:2379`)
        .join(",");
      const health = sshOk("m1", `${ETCDCTL} --endpoints=${endpoints} endpoint health`);
      expect(health.match(/is healthy/g)).toHaveLength(3);
      const list = sshOk("m1", `${ETCDCTL} --endpoints=https://127.0.0.1:2379 member list`);
      expect(list.trim().split("\n")).toHaveLength(3);
      expect(list).not.toContain("http://");
    });

    test("refuses plain HTTP and clients without a certificate", () => {
      expect(ssh("m1", "curl -s --max-time 3 http://10.77.0.12:2379/health").status).not.toBe(0);
      const noCert = ssh("m1", 'curl -s --max-time 3 --cacert /etc/etcd/pki/ca.crt https://10.77.0.12:2379/v3/kv/range -X POST -d \'{"key":"Zm9v"}\'');
      // --client-cert-auth=true: etcd's TLS handshake refuses a client without a certificate. curl
      // exits 56 when that comes as TLS 1.3's "certificate required" alert on its first read (what
      // Debian 12's curl and etcd negotiate), 55 when that alert closes the connection while curl is
      // still sending the request, 35 when a TLS 1.2 handshake fails; never 0 (answered), 7 (nothing
      // listening) or 28 (timeout). No response body either way.
      expect([35, 55, 56]).toContain(noCert.status);
      expect(noCert.stdout).toBe("");
      const withCert = ssh("m1", "curl -s --max-time 3 --cacert /etc/etcd/pki/ca.crt --cert /etc/etcd/pki/client.crt --key /etc/etcd/pki/client.key https://10.77.0.12:2379/health");
      expect(withCert.stdout).toContain('"health":"true"');
    });

    test("a write through one member reads back from the others", () => {
      const value = `v-${Date.now()}`;
      sshOk("m1", `${ETCDCTL} --endpoints=https://10.77.0.11:2379 put /kubeha-test/key ${value}`);
      for (const [host, ip] of [
        ["m2", "10.77.0.12"],
        ["m3", "10.77.0.13"],
      ]) {
        expect(sshOk(host, `${ETCDCTL} --endpoints=https://${ip}:2379 get /kubeha-test/key --print-value-only`).trim()).toBe(value);
      }
    });

    test("with one member stopped writes succeed; restarted, it catches up", () => {
      sshOk("m3", "systemctl stop etcd");
      try {
        const value = `while-m3-down-${Date.now()}`;
        sshOk("m1", `${ETCDCTL} --endpoints=https://10.77.0.11:2379,https://10.77.0.12:2379 put /kubeha-test/degraded ${value}`);
        sshOk("m3", "systemctl start etcd");
        return waitFor(
          "m3 to catch up",
          () => ssh("m3", `${ETCDCTL} --endpoints=https://10.77.0.13:2379 get /kubeha-test/degraded --print-value-only --consistency=s`).stdout.trim() === value,
          30000,
          500,
        );
      } finally {
        ssh("m3", "systemctl start etcd");
      }
    });

    const ALL = "https://10.77.0.11:2379,https://10.77.0.12:2379,https://10.77.0.13:2379";
    const ADDRESS: Record<string, string> = { m1: "10.77.0.11", m2: "10.77.0.12", m3: "10.77.0.13" };

    function leader(): string {
      // Non-zero when a member is down: the rows of the others are still printed.
      const lines = ssh("m1", `${ETCDCTL} --endpoints=${ALL} endpoint status -w simple`).stdout.trim().split("\n");
      const row = lines.map((l) => l.split(/,\s*/)).find((cols) => cols[4] === "true");
      return Object.keys(ADDRESS).find((m) => row?.[0] === `https://${ADDRESS[m]}:2379`)!;
    }

    test("with the leader stopped, writes succeed again after a brief gap", async () => {
      const old = leader();
      const survivor = Object.keys(ADDRESS).find((m) => m !== old)!;
      sshOk(old, "systemctl stop etcd");
      try {
        const gap = await waitFor(
          "a write to succeed without the old leader",
          () => ssh(survivor, `${ETCDCTL} --endpoints=https://${ADDRESS[survivor]}:2379 put /kubeha-test/leader gone`).status === 0,
          15000,
          100,
        );
        console.log(`etcd leader ${old} stopped: writes succeeded again after ${gap} ms`);
        expect(leader()).not.toBe(old);
      } finally {
        sshOk(old, "systemctl start etcd");
      }
    });

    test("with two members stopped, writes fail with an error instead of hanging; nothing acknowledged is lost", async () => {
      const value = `before-${Date.now()}`;
      sshOk("m1", `${ETCDCTL} --endpoints=${ALL} put /kubeha-test/durable ${value}`);
      sshOk("m2", "systemctl stop etcd");
      sshOk("m3", "systemctl stop etcd");
      try {
        const started = Date.now();
        const write = ssh("m1", `${ETCDCTL} --endpoints=https://10.77.0.11:2379 put /kubeha-test/no-quorum x`);
        expect(write.status).not.toBe(0);
        expect(Date.now() - started).toBeLessThan(15000);
      } finally {
        ssh("m2", "systemctl start etcd");
        ssh("m3", "systemctl start etcd");
      }
      await waitFor("quorum back", () => ssh("m1", `${ETCDCTL} --endpoints=${ALL} endpoint health`).stdout.match(/is healthy/g)?.length === 3, 60000, 1000);
      expect(sshOk("m3", `${ETCDCTL} --endpoints=https://10.77.0.13:2379 get /kubeha-test/durable --print-value-only`).trim()).toBe(value);
    });
  });

  describe("load balancer", () => {
    beforeAll(() => useDeployedLab());

    test("the VIP is on the highest-priority host, and only there", async () => {
      await waitFor("VIP on m1", () => vipHolders().join() === "m1", 30000);
    });

    test("nginx on the VIP forwards to every apiserver", () => {
      const answer = sshOk("w1", `curl -sk --max-time 5 https://${VIP}:${LB_PORT}/readyz -w ' %{http_code}'`);
      expect(answer).toBe("ok 200");
      // least_conn sends new connections to the apiserver with the fewest: over the life of the
      // cluster (kubelets, controllers, these tests) every apiserver has served some.
      const log = sshOk("m1", "cat /var/log/nginx/kube-apiserver.log");
      const upstreams = new Set([...log.matchAll(/ 200 (10\.77\.0\.\d+:6443) /g)].map((m) => m[1]));
      expect([...upstreams].sort()).toEqual(["10.77.0.11:6443", "10.77.0.12:6443", "10.77.0.13:6443"]);
    });

    test("hard-stopping the VIP holder moves the VIP to exactly one survivor", async () => {
      labOk(["stop", "m1"]);
      try {
        const ms = await waitFor("VIP on a survivor", () => vipHolders().length === 1 && vipHolders()[0] !== "m1", 20000, 100);
        expect(vipHolders()).toEqual(["m2"]);
        console.log(`VIP moved after hard stop in ${ms} ms (polling the hosts over SSH)`);
      } finally {
        labOk(["start", "m1"]);
      }
      // Back up, m1's apiserver and nginx pass the track script again and it takes the VIP back.
      await waitFor("VIP back on m1 after it rejoins", () => vipHolders().join() === "m1", 180000, 1000);
    });

    // keepalived: its adverts stop. nginx: the track script fails through the local nginx.
    test.each(["keepalived", "nginx"])("stopping only %s on the holder moves the VIP, in one transition", async (service) => {
      await waitFor("VIP on m1", () => vipHolders().join() === "m1", 30000, 500);
      const since = Math.floor(Date.now() / 1000);
      sshOk("m1", `systemctl stop ${service}`);
      try {
        await waitFor("VIP off m1", () => vipHolders().join() === "m2", 20000, 200);
      } finally {
        sshOk("m1", `systemctl start ${service}`);
      }
      await waitFor("VIP back on m1", () => vipHolders().join() === "m1", 30000, 500);
      expect([masterTransitions("m2", since), masterTransitions("m3", since)]).toEqual([1, 0]);
    });

    // The case a process check would miss: nginx runs and accepts, but reaches no apiserver.
    test("with nginx up but no apiserver reachable through it, the track script fails and the VIP moves once", async () => {
      await waitFor("VIP on m1", () => vipHolders().join() === "m1", 30000, 500);
      const since = Math.floor(Date.now() / 1000);
      const rule = `OUTPUT -p tcp -d ${VIP.replace(/\.\d+$/, ".0/24")} --dport 6443 -j REJECT --reject-with tcp-reset`;
      sshOk("m1", `iptables -w -I ${rule}`);
      try {
        expect(sshOk("m1", "systemctl is-active nginx").trim()).toBe("active");
        expect(ssh("m1", PATHS.keepalivedCheckScript).status).toBe(1);
        await waitFor("VIP off m1", () => vipHolders().join() === "m2", 20000, 200);
      } finally {
        sshOk("m1", `iptables -w -D ${rule}`);
      }
      // nginx's passive checks keep the upstreams marked failed for fail_timeout, then retry them.
      await waitFor("the track script passing on m1 again", () => ssh("m1", PATHS.keepalivedCheckScript).status === 0, 30000, 500);
      await waitFor("VIP back on m1", () => vipHolders().join() === "m1", 30000, 500);
      expect([masterTransitions("m2", since), masterTransitions("m3", since)]).toEqual([1, 0]);
    });

    // At boot keepalived may start before the network has configured its unicast source address;
    // keepalived 2.2 then stays in FAULT for good. kubeha's drop-in makes it wait for the address.
    test("keepalived started while its host's address is missing waits for it, then takes part as backup", async () => {
      await waitFor("VIP on m1", () => vipHolders().join() === "m1", 30000, 500);
      const since = Math.floor(Date.now() / 1000);
      // One detached script on m3: SSH goes with the address.
      const address = "10.77.0.13";
      const script = `systemctl stop keepalived; ip addr del ${address}/24 dev host0; systemctl start --no-block keepalived; sleep 4; ip addr add ${address}/24 dev host0; ip route replace default via 10.77.0.254 dev host0`;
      sshOk("m3", `nohup sh -c '${script}' >/dev/null 2>&1 &`);
      await new Promise((resolve) => setTimeout(resolve, 6000));
      await waitFor("m3 back on SSH with keepalived active", () => ssh("m3", "systemctl is-active keepalived", undefined, 10000).stdout.trim() === "active", 60000, 1000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const journal = sshOk("m3", `journalctl -u keepalived --since @${since} --no-pager -o cat`);
      expect(journal).not.toMatch(/FAULT/);
      expect(journal).toMatch(/Entering BACKUP STATE/);
      expect(vipHolders().join()).toBe("m1");
    });
  });

  describe("changes", () => {
    beforeAll(() => useDeployedLab());

    test("changing one host's priority re-renders and reloads only that host's keepalived", () => {
      fs.writeFileSync(STACK_FILE, originalConfig.replace("vrrpPriority: 130}", "vrrpPriority: 135}"));
      try {
        const preview = pulumi(["preview", "--stack", LAB_STACK, "--json"]);
        const changed = (JSON.parse(preview.stdout).steps as { op: string; urn: string }[]).filter((s) => s.op !== "same" && s.op !== "read").map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        expect(changed.sort()).toEqual(["update kubeha-lb-m3-keepalived-apply", "update kubeha-lb-m3-keepalived-conf"]);
        upOk();
        expect(lastUpdate().resourceChanges.update).toBe(2);
        expect(sshOk("m3", "grep priority /etc/keepalived/keepalived.conf").trim()).toBe("priority 135");
        expect(sshOk("m2", "grep priority /etc/keepalived/keepalived.conf").trim()).toBe("priority 140");
      } finally {
        fs.writeFileSync(STACK_FILE, originalConfig);
      }
      upOk();
      expect(lastUpdate().resourceChanges.update).toBe(2);
    });

    test("a bad config fails before any SSH and leaves the lab untouched", () => {
      const before = sshOk("m1", "md5sum /etc/keepalived/keepalived.conf /etc/nginx/nginx.conf /etc/systemd/system/etcd.service");
      fs.writeFileSync(STACK_FILE, originalConfig.replace("kubeha:vip: 10.77.0.100", "kubeha:vip: 10.77.0.12"));
      try {
        const result = up();
        const output = `${result.stdout}${result.stderr}`;
        expect(result.status).not.toBe(0);
        expect(output).toContain("kubeha:vip: 10.77.0.12 is the address of host m2. Fix:");
        // No step ran: no resource line (creating, updating, ...) in the output.
        expect(output).not.toMatch(/^\s*[+~-]\s+command:remote:Command/m);
      } finally {
        fs.writeFileSync(STACK_FILE, originalConfig);
      }
      expect(sshOk("m1", "md5sum /etc/keepalived/keepalived.conf /etc/nginx/nginx.conf /etc/systemd/system/etcd.service")).toBe(before);
    });
  });

  describe("lab hosts", () => {
    // A host that boots but never answers SSH (as CI once saw after a killed session) must not
    // just time out: `lab up` boots it again once, and names it with its console when that fails.
    test("a host without SSH is booted again once; lab up fails naming it, with its console", () => {
      const units = ["ssh.service", "ssh.socket"].map((unit) => path.join(HOSTS_DIR, "w2/root/etc/systemd/system", unit));
      sshOk("w2", "systemctl mask ssh.service ssh.socket");
      labOk(["stop", "w2"]);
      const quick = { KUBEHA_LAB_SSH_TIMEOUT: "30", KUBEHA_LAB_SSH_RESTART_AFTER: "5" };
      try {
        const failed = lab(["up"], 120000, quick);
        expect(failed.status).toBe(1);
        expect(failed.stderr.match(/w2: powering it off and booting it again \(once\)/g)).toHaveLength(1);
        expect(failed.stderr).toMatch(/w2: ssh said: .*Connection refused/);
        expect(failed.stderr).toMatch(/w2 login:/);
        expect(failed.stderr).toContain("[lab] error: no SSH after 30s from: w2");
      } finally {
        // The host's disk is mounted on this machine: unmask sshd there.
        for (const unit of units) fs.rmSync(unit, { force: true });
      }
      const healed = lab(["up"], 120000, quick);
      expect({ status: healed.status, stderr: healed.stderr }).toEqual({ status: 0, stderr: expect.stringContaining("w2: powering it off and booting it again (once)") });
      expect(sshOk("w2", "hostname").trim()).toBe("w2");
    });
  });
});

/** Every string of 16 characters or more inside the state's secrets (revealed by --show-secrets), steps' outputs aside. */
function secretValues(state: unknown): string[] {
  const SIG = "4dabf18193072939515e22adb298388d";
  const found = new Set<string>();
  const leaves = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.length >= 16) found.add(value);
      try {
        const parsed: unknown = JSON.parse(value);
        // A secret's plaintext is JSON: a string (a script) decoded, an object walked.
        if (typeof parsed === "string" && parsed.length >= 16) found.add(parsed);
        else if (typeof parsed === "object" && parsed !== null) leaves(parsed);
      } catch {
        // a plain string
      }
    } else if (Array.isArray(value)) value.forEach(leaves);
    else if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      // A secret nested in a secret: its value, not its marker.
      if (SIG in record) leaves(record.plaintext ?? record.value);
      else Object.values(record).forEach(leaves);
    }
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      if (SIG in record) leaves(record.plaintext);
      // A step's output is secret when its script carries a secret, and is shown on purpose (the script blanks the secret).
      else for (const [key, v] of Object.entries(record)) if (key !== "stdout" && key !== "stderr") walk(v);
    }
  };
  walk(state);
  return [...found];
}
