// End-to-end: a master of the lab's cluster is lost with its disk and reinstalled under the same
// name and address (`lab rebuild`). Remote steps cannot see that; `forget-host --rebuilt` drops
// its steps from the state, and the next `pulumi up` runs them again: etcd replaces the member's
// lost identity, kubeadm joins it again.
import { describeWithPlugins, forgetHost } from "../fixtures/pulumiCli";
import { ETCDCTL, labOk, LAB_STACK, lastUpdate, changedOperations, sshOk, upOk, useDeployedLab, waitFor } from "../fixtures/lab";
import { kubectl, nodes } from "../fixtures/cluster";

jest.setTimeout(900000);

const describeReal = describeWithPlugins("rebuild end-to-end tests");

/** "ID status name" of each etcd member, asked on m1. */
function etcdMembers(): string[] {
  return sshOk("m1", `${ETCDCTL} --endpoints=https://127.0.0.1:2379 member list`)
    .trim()
    .split("\n")
    .map((line) => line.split(", ").slice(0, 3).join(" "))
    .sort((a, b) => a.split(" ")[2].localeCompare(b.split(" ")[2]));
}

describeReal("a master reinstalled under the same name", () => {
  beforeAll(() => useDeployedLab());

  test("m3 lost with its disk and rebuilt: forget-host --rebuilt, then pulumi up brings it back", async () => {
    const before = etcdMembers();
    labOk(["stop", "m3"]);
    // As after a real reinstall, its Node has been NotReady for a while.
    const readyStatus = () => kubectl(["get", "node", "m3", "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout.trim();
    await waitFor("m3's Node NotReady", () => readyStatus() === "Unknown", 180000, 2000);
    labOk(["rebuild", "m3"]);
    expect(sshOk("m3", "test -e /etc/kubeha && echo deployed || echo fresh").trim()).toBe("fresh");

    // Without forgetting, the state says m3 is deployed: the up would change nothing.
    const refused = forgetHost(LAB_STACK, "m3");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("m3 is still in kubeha:hosts of stack lab. Fix:");
    const forgot = forgetHost(LAB_STACK, "m3", true);
    expect({ status: forgot.status, stderr: forgot.stderr }).toEqual({ status: 0, stderr: "" });
    expect(forgot.stdout).toMatch(/\[forget-host\] m3 \(10\.77\.0\.13\): \d+ steps that ran on it dropped/);
    // Its join needs a token again: the token's steps on m1 are forgotten too.
    expect(forgot.stdout).toContain("[forget-host] also dropped, for its join: kubeha-cp-m1-bootstrap-token-issue, kubeha-cp-m1-bootstrap-token-revoke");

    upOk();
    await waitFor("every node Ready", () => nodes().every((n) => n.ready) && nodes().length === 5, 300000, 2000);
    // m3 is a member again, under a new identity; m1 and m2 kept theirs.
    const after = etcdMembers();
    expect(after.map((m) => m.split(" ").slice(1).join(" "))).toEqual(["started m1", "started m2", "started m3"]);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[2].split(" ")[0]).not.toBe(before[2].split(" ")[0]);
    // sshOk already fails on an unhealthy endpoint (etcdctl exits 1): count the healthy ones.
    expect(sshOk("m1", `${ETCDCTL} --endpoints=https://10.77.0.11:2379,https://10.77.0.12:2379,https://10.77.0.13:2379 endpoint health`).match(/is healthy/g)).toHaveLength(3);
    expect(sshOk("m3", "cat /etc/etcd/bootstrap.env")).toContain("ETCD_INITIAL_CLUSTER_STATE=existing");
    // The token of that join was revoked after it.
    expect(kubectl(["-n", "kube-system", "get", "secrets", "--field-selector", "type=bootstrap.kubernetes.io/token", "-o", "name"]).stdout.trim()).toBe("");
  });

  test("then a second pulumi up changes nothing", () => {
    upOk();
    expect(changedOperations(lastUpdate())).toEqual([]);
  });
});
