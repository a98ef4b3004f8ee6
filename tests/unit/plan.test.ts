// The cluster plan: every derived fact, computed once from the validated spec.
import { keepInitMasterFirst } from "../../config/membership";
import { validateConfig } from "../../config/validate";
import { planCluster } from "../../plan/cluster";
import { fakeFiles, seed000, seed001, seed002 } from "../fixtures/topologies";

test("seed 000: the first master inits, everyone else joins; stacked etcd on the masters", () => {
  const plan = planCluster(validateConfig(seed000, fakeFiles));
  expect(plan.initMaster.name).toBe("kube-master01");
  expect(plan.joiners).toEqual(["kube-master02", "kube-master03", "kube-node01", "kube-node02", "kube-node03"]);
  expect(plan.workers.map((h) => h.name)).toEqual(["kube-node01", "kube-node02", "kube-node03"]);
  expect(plan.etcd.topology).toBe("stacked");
  expect(plan.etcd.endpoints).toEqual(["https://172.26.133.161:2379", "https://172.26.133.162:2379", "https://172.26.133.163:2379"]);
  expect(plan.etcd.initialCluster).toBe("kube-master01=https://172.26.133.161:2380,kube-master02=https://172.26.133.162:2380,kube-master03=https://172.26.133.163:2380");
  expect(plan.hostPrefix).toBe(24);
  expect(plan.api).toEqual({
    controlPlaneEndpoint: "172.26.133.160:16443",
    externalEndpoint: "172.26.133.160:16443",
    sans: ["172.26.133.160", "172.26.133.161", "172.26.133.162", "172.26.133.163", "kube-master01", "kube-master02", "kube-master03", "127.0.0.1", "localhost"],
  });
});

test("seed 001: external etcd members are the hosts with role etcd, in host order", () => {
  const plan = planCluster(validateConfig(seed001, fakeFiles));
  expect(plan.etcd.members.map((h) => h.name)).toEqual(["master1", "master2", "node1"]);
  expect(plan.etcd.initialCluster).toBe("master1=https://192.168.109.134:2380,master2=https://192.168.109.135:2380,node1=https://192.168.109.136:2380");
});

test("seed 002 (local proxy): nodes use 127.0.0.1:lbPort, the kubeconfig the init master's apiserver", () => {
  const plan = planCluster(validateConfig(seed002, fakeFiles));
  expect(plan.api.controlPlaneEndpoint).toBe("127.0.0.1:16443");
  expect(plan.api.externalEndpoint).toBe(`${plan.initMaster.address}:6443`);
});

test("the init master of the last deployment stays the init master when re-listed later", () => {
  const spec = validateConfig(seed000, fakeFiles);
  const reordered = { ...spec, masters: [spec.masters[1], spec.masters[2], spec.masters[0]] };
  const plan = planCluster(keepInitMasterFirst(reordered, { etcd: [], masters: ["kube-master01", "kube-master02", "kube-master03"] }));
  expect(plan.initMaster.name).toBe("kube-master01");
  expect(plan.joiners.slice(0, 2)).toEqual(["kube-master02", "kube-master03"]);
});
