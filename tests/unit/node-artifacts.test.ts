// Which offline artifacts each node takes: workers skip kubectl and the control plane's images.
import { nodeArtifacts } from "../../config/artifacts";

const IMAGES = ["pause.tar", "kube-apiserver.tar", "kube-controller-manager.tar", "kube-scheduler.tar", "kube-proxy.tar", "etcd.tar", "coredns.tar", "flannel.tar", "README"];

describe("nodeArtifacts", () => {
  test("a worker takes kubeadm and kubelet, and no control-plane or etcd image", () => {
    expect(nodeArtifacts(IMAGES, { controlPlane: false, stackedEtcd: true })).toEqual({
      tools: ["kubeadm", "kubelet"],
      images: ["coredns.tar", "flannel.tar", "kube-proxy.tar", "pause.tar"],
    });
  });

  test("a master with external etcd takes kubectl and the control plane's images, not etcd's", () => {
    expect(nodeArtifacts(IMAGES, { controlPlane: true, stackedEtcd: false })).toEqual({
      tools: ["kubeadm", "kubelet", "kubectl"],
      images: ["coredns.tar", "flannel.tar", "kube-apiserver.tar", "kube-controller-manager.tar", "kube-proxy.tar", "kube-scheduler.tar", "pause.tar"],
    });
  });

  test("a master with stacked etcd also takes the etcd image", () => {
    expect(nodeArtifacts(IMAGES, { controlPlane: true, stackedEtcd: true }).images).toContain("etcd.tar");
  });

  test("images kubeha does not know go to every node; files that are not image archives to none", () => {
    const worker = nodeArtifacts(["my-agent.tar", "notes.txt"], { controlPlane: false, stackedEtcd: false });
    expect(worker.images).toEqual(["my-agent.tar"]);
  });
});
