// The steps every Kubernetes node takes before kubeadm: OS preparation, containerd, and the
// Kubernetes binaries (from pkgs.k8s.io, or uploaded from the offline artifact directory).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { NodeArtifacts } from "../../config/artifacts";
import { ClusterSpec, Host } from "../../config/types";
import { ClusterPlan } from "../../plan/cluster";
import { PATHS } from "../../plan/paths";
import { ReadyTarget } from "../host/hostInventory";
import { fileStamp } from "../host/manifest";
import { copyFile, putFile } from "../host/remote";
import { renderFile } from "../host/script";
import { runStep, STEPS } from "../host/steps";
import { containerdView, hostsBlockView, KERNEL_MODULES, NODE_PACKAGES, SYSCTLS } from "./views";

/** Prepares a node; the returned step completes when kubeadm can run there. */
export function setupNode(prefix: string, host: Host, target: ReadyTarget, plan: ClusterPlan, parent: pulumi.Resource, after: pulumi.Resource[]): remote.Command {
  const { spec } = plan;
  const opts = (dependsOn: pulumi.Resource[]) => ({ parent, dependsOn });
  const packages = runStep(prefix, target, STEPS.packages, { view: { packages: NODE_PACKAGES, source: spec.packages.source } }, opts([target.ready, ...after]));
  const modules = renderFile("node/modules.conf", { modules: KERNEL_MODULES });
  const sysctls = renderFile("node/sysctl.conf", { sysctls: SYSCTLS });
  const hostsBlock = renderFile("node/hosts-block", hostsBlockView(spec));
  const osFiles = [
    putFile(`${prefix}-modules`, target, { path: PATHS.kernelModules, content: modules, mode: "0644" }, opts([packages])),
    putFile(`${prefix}-sysctl`, target, { path: PATHS.sysctls, content: sysctls, mode: "0644" }, opts([packages])),
    putFile(`${prefix}-hosts`, target, { path: PATHS.hostsBlock, content: hostsBlock, mode: "0644" }, opts([packages])),
  ];
  const prepared = runStep(prefix, target, STEPS.prepareNode, { view: { nodeName: host.name, clusterName: spec.clusterName }, inputs: { modules, sysctls, hostsBlock } }, opts(osFiles));
  const containerdConf = renderFile("node/containerd-config.toml", containerdView(spec));
  const confFile = putFile(`${prefix}-containerd-conf`, target, { path: PATHS.containerdConfig, content: containerdConf, mode: "0644" }, opts([prepared]));
  const runtime = runStep(prefix, target, STEPS.containerd, { inputs: { containerdConf } }, opts([confFile]));
  return spec.packages.source === "online" ? installOnline(prefix, target, spec, parent, runtime) : installOffline(prefix, plan.artifacts.get(host.name)!, target, spec, parent, runtime);
}

function installOnline(prefix: string, target: ReadyTarget, spec: ClusterSpec, parent: pulumi.Resource, runtime: remote.Command): remote.Command {
  const version = spec.kubernetes.version;
  const minor = version.split(".").slice(0, 2).join(".");
  return runStep(prefix, target, STEPS.kubernetesOnline, { view: { version, minor } }, { parent, dependsOn: [runtime] });
}

function installOffline(prefix: string, wanted: NodeArtifacts, target: ReadyTarget, spec: ClusterSpec, parent: pulumi.Resource, runtime: remote.Command): remote.Command {
  const artifactDir = path.resolve(spec.packages.artifactDir!);
  const files = [...wanted.tools.map((tool) => `bin/${tool}`), ...wanted.images.map((image) => `images/${image}`)];
  // One copy per file this node needs, into the bin/ and images/ that prepare-node made: each is
  // hashed, so it travels again only when that artifact changed.
  const uploads = files.map((file) =>
    copyFile(`${prefix}-artifact-${file.replace("/", "-")}`, target, path.join(artifactDir, file), path.posix.join(PATHS.artifactStaging, file), { parent, dependsOn: [runtime] }),
  );
  const unit = renderFile("node/kubelet.service", { restartSeconds: 10 });
  const dropIn = renderFile("node/10-kubeadm.conf", {});
  const units = [
    putFile(`${prefix}-kubelet-unit`, target, { path: PATHS.kubeletUnit, content: unit, mode: "0644" }, { parent, dependsOn: [runtime] }),
    putFile(`${prefix}-kubelet-dropin`, target, { path: PATHS.kubeletDropIn, content: dropIn, mode: "0644" }, { parent, dependsOn: [runtime] }),
  ];
  const view = { tools: wanted.tools.join(" "), images: wanted.images.join(" ") };
  const inputs = { unit, dropIn, artifacts: files.map((file) => fileStamp(path.join(artifactDir, file))).join("\n") };
  return runStep(prefix, target, STEPS.kubernetesOffline, { view, inputs }, { parent, dependsOn: [...uploads, ...units] });
}
