// End-to-end: etcd snapshots and restore on the lab's cluster (external etcd on m1-m3). The
// scheduled timer on every member; `npm run backup` copies a snapshot here with its checksum;
// `npm run restore` refuses while etcd has quorum, restores with --force (objects made after the
// snapshot are gone, those before it are back, every node Ready), and restores without --force
// once every member lost its data (the disaster case); a no-op `pulumi up` changes nothing after.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeWithPlugins, etcdScript } from "../fixtures/pulumiCli";
import { changedOperations, LAB_STACK, lastUpdate, sshOk, upOk, useDeployedLab } from "../fixtures/lab";
import { kubectl, kubectlOk, nodes } from "../fixtures/cluster";
import { DEFAULT_ETCD_SNAPSHOTS } from "../../config/etcdSnapshots";
import { PATHS, UNITS } from "../../plan/paths";

jest.setTimeout(900000);

const describeReal = describeWithPlugins("etcd backup and restore end-to-end tests");
const MEMBERS = ["m1", "m2", "m3"];
const NAMESPACE = "kubeha-backup-e2e";

function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${NAMESPACE}}\ndata: {made: "${name}"}\n`;
}

const configMaps = () =>
  kubectlOk(["get", "configmaps", "-n", NAMESPACE, "-o", "name"])
    .split("\n")
    .filter((l) => l.startsWith("configmap/") && !l.endsWith("kube-root-ca.crt"))
    .sort();

describeReal("etcd snapshots, backup and restore on the lab", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-backup-e2e-"));
  let snapshot = "";

  beforeAll(() => {
    useDeployedLab();
    kubectl(["delete", "namespace", NAMESPACE, "--wait=true"]);
    kubectlOk(["create", "namespace", NAMESPACE]);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", NAMESPACE, "--wait=false"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("every member's snapshot timer is active; a run keeps the newest 24 and removes the older ones", () => {
    const directory = DEFAULT_ETCD_SNAPSHOTS.directory;
    for (const member of MEMBERS) expect(sshOk(member, `systemctl is-active ${UNITS.etcdSnapshotTimer}; systemctl is-enabled ${UNITS.etcdSnapshotTimer}`).trim()).toBe("active\nenabled");
    // 25 older snapshots (copies of a real one, named in 2001): with the run's own, 27 before pruning.
    sshOk("m1", `systemctl start ${UNITS.etcdSnapshot}`);
    const oldest = "20010101T000000Z";
    sshOk("m1", `cd ${directory} && f=$(ls etcd-m1-*.db | tail -n1) && for d in $(seq -w 1 24); do cp "$f" etcd-m1-200102\${d}T000000Z.db; done && cp "$f" etcd-m1-${oldest}.db`);
    sshOk("m1", `systemctl start ${UNITS.etcdSnapshot}`);
    const kept = sshOk("m1", `ls ${directory}/etcd-m1-*.db`).trim().split("\n");
    expect(kept).toHaveLength(DEFAULT_ETCD_SNAPSHOTS.keep);
    expect(kept.some((f) => f.includes(oldest))).toBe(false);
    const journal = sshOk("m1", `journalctl -u ${UNITS.etcdSnapshot} --no-pager -n 40 -o cat`);
    expect(journal).toMatch(/snapshot of member m1 at revision \d+: \d+ keys, \d+ bytes/);
    expect(journal).toContain(`removed ${directory}/etcd-m1-${oldest}.db (keeping the newest 24)`);
    expect(sshOk("m1", `stat -c %a ${directory}; stat -c %a ${kept[kept.length - 1]}`).trim()).toBe("700\n600");
  });

  test("npm run backup takes a snapshot now and copies it here, 0600, with a checksum that matches", () => {
    kubectlOk(["apply", "-f", "-"], configMap("before"));
    const result = etcdScript("backup", [LAB_STACK, "--dir", dir]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    snapshot = /^backup: (\S+)$/m.exec(result.stdout)![1];
    expect(path.dirname(snapshot)).toBe(dir);
    expect(result.stdout).toMatch(/\[backup\] (m[123]): snapshot of member \1 at revision \d+/);
    const [sum, name] = fs.readFileSync(`${snapshot}.sha256`, "utf8").trim().split(/\s+/);
    expect(name).toBe(path.basename(snapshot));
    expect(crypto.createHash("sha256").update(fs.readFileSync(snapshot)).digest("hex")).toBe(sum);
    expect((fs.statSync(snapshot).mode & 0o777).toString(8)).toBe("600");
    expect(fs.statSync(snapshot).size).toBeGreaterThan(100000);
  });

  test("npm run restore refuses while etcd has quorum, and with --force brings back the snapshot's objects, every node Ready", () => {
    kubectlOk(["delete", "configmap", "before", "-n", NAMESPACE]);
    kubectlOk(["apply", "-f", "-"], configMap("after"));
    const refused = etcdScript("restore", [LAB_STACK, snapshot]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("etcd has quorum: a restore would drop every write made since the snapshot");
    expect(configMaps()).toEqual(["configmap/after"]);

    const restored = etcdScript("restore", [LAB_STACK, snapshot, "--force"]);
    expect({ status: restored.status, stderr: restored.stderr }).toEqual({ status: 0, stderr: "" });
    console.log(`[kubeha e2e] restore with quorum (--force): ${/done: .* in ([\d.]+ s)/.exec(restored.stdout)?.[1]}`);
    expect(configMaps()).toEqual(["configmap/before"]);
    expect(nodes().filter((n) => !n.ready)).toEqual([]);
  });

  test("with every member's data lost, npm run restore needs no --force and brings the cluster back", () => {
    kubectlOk(["apply", "-f", "-"], configMap("after"));
    for (const member of MEMBERS) sshOk(member, `systemctl stop ${UNITS.etcd} && rm -rf ${PATHS.etcdData}`);
    const restored = etcdScript("restore", [LAB_STACK, snapshot]);
    expect({ status: restored.status, stderr: restored.stderr }).toEqual({ status: 0, stderr: "" });
    expect(restored.stdout).toContain("[restore] etcd: 0 of 3 members healthy");
    console.log(`[kubeha e2e] restore after every member lost its data: ${/done: .* in ([\d.]+ s)/.exec(restored.stdout)?.[1]}`);
    expect(configMaps()).toEqual(["configmap/before"]);
    expect(nodes().filter((n) => !n.ready)).toEqual([]);
  });

  test("after the restores a no-op pulumi up changes nothing", () => {
    upOk();
    expect(changedOperations(lastUpdate())).toEqual([]);
  });
});
