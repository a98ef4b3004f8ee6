// The steps every Kubernetes node takes before kubeadm: OS preparation, containerd, and the
// Kubernetes binaries (from pkgs.k8s.io, or uploaded from the offline artifact directory).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { ClusterSpec, Host } from "../config/types";
import { nodeArtifacts } from "../config/artifacts";
import { fileStamp } from "../lib/manifest";
import { putFile, runScript } from "../lib/remote";
import { renderTemplate } from "../lib/render";
import { ReadyTarget } from "./hostInventory";
import { containerdView, hostsBlockView, KERNEL_MODULES, NODE_PACKAGES, SYSCTLS } from "./nodeViews";

/** Where offline artifacts are uploaded on each node. */
export const ARTIFACT_STAGING = "/var/lib/kubeha/artifacts";

/** Prepares a node; the returned step completes when kubeadm can run there. */
export function setupNode(prefix: string, host: Host, target: ReadyTarget, spec: ClusterSpec, parent: pulumi.Resource, after: pulumi.Resource[]): remote.Command {
  const opts = (dependsOn: pulumi.Resource[]) => ({ parent, dependsOn });
  const packages = runScript(
    `${prefix}-packages`,
    target,
    { script: renderTemplate("scripts/install-packages.sh", { packages: NODE_PACKAGES, source: spec.packages.source }) },
    opts([target.ready, ...after]),
  );
  const modules = renderTemplate("node/modules.conf", { modules: KERNEL_MODULES });
  const sysctls = renderTemplate("node/sysctl.conf", { sysctls: SYSCTLS });
  const hostsBlock = renderTemplate("node/hosts-block", hostsBlockView(spec));
  const osFiles = [
    putFile(`${prefix}-modules`, target, { path: "/etc/modules-load.d/kubeha.conf", content: modules, mode: "0644" }, opts([packages])),
    putFile(`${prefix}-sysctl`, target, { path: "/etc/sysctl.d/99-kubeha.conf", content: sysctls, mode: "0644" }, opts([packages])),
    putFile(`${prefix}-hosts`, target, { path: "/etc/kubeha/hosts-block", content: hostsBlock, mode: "0644" }, opts([packages])),
  ];
  const prepared = runScript(
    `${prefix}-prepare`,
    target,
    { script: renderTemplate("scripts/prepare-node.sh", { nodeName: host.name, clusterName: spec.clusterName, artifactStaging: ARTIFACT_STAGING }), inputs: { modules, sysctls, hostsBlock } },
    opts(osFiles),
  );
  const containerdConf = renderTemplate("node/containerd-config.toml", containerdView(spec));
  const confFile = putFile(`${prefix}-containerd-conf`, target, { path: "/etc/containerd/config.toml", content: containerdConf, mode: "0644" }, opts([prepared]));
  const runtime = runScript(`${prefix}-containerd`, target, { script: renderTemplate("scripts/apply-containerd.sh", {}), inputs: { containerdConf } }, opts([confFile]));
  return spec.packages.source === "online" ? installOnline(prefix, target, spec, parent, runtime) : installOffline(prefix, host, target, spec, parent, runtime);
}

function installOnline(prefix: string, target: ReadyTarget, spec: ClusterSpec, parent: pulumi.Resource, runtime: remote.Command): remote.Command {
  const version = spec.kubernetes.version;
  const minor = version.split(".").slice(0, 2).join(".");
  return runScript(`${prefix}-kubernetes`, target, { script: renderTemplate("scripts/install-kubernetes-online.sh", { version, minor }) }, { parent, dependsOn: [runtime] });
}

function installOffline(prefix: string, host: Host, target: ReadyTarget, spec: ClusterSpec, parent: pulumi.Resource, runtime: remote.Command): remote.Command {
  const artifactDir = path.resolve(spec.packages.artifactDir!);
  const wanted = nodeArtifacts(fs.readdirSync(path.join(artifactDir, "images")), { controlPlane: host.roles.includes("master"), stackedEtcd: spec.etcd.topology === "stacked" });
  const files = [...wanted.tools.map((tool) => `bin/${tool}`), ...wanted.images.map((image) => `images/${image}`)];
  // One copy per file this node needs, into the bin/ and images/ that prepare-node made: each is
  // hashed, so it travels again only when that artifact changed.
  const uploads = files.map(
    (file) =>
      new remote.CopyToRemote(
        `${prefix}-artifact-${file.replace("/", "-")}`,
        { connection: target.connection, source: new pulumi.asset.FileAsset(path.join(artifactDir, file)), remotePath: path.posix.join(ARTIFACT_STAGING, file) },
        { parent, dependsOn: [runtime] },
      ),
  );
  const unit = renderTemplate("node/kubelet.service", { restartSeconds: 10 });
  const dropIn = renderTemplate("node/10-kubeadm.conf", {});
  const units = [
    putFile(`${prefix}-kubelet-unit`, target, { path: "/etc/systemd/system/kubelet.service", content: unit, mode: "0644" }, { parent, dependsOn: [runtime] }),
    putFile(`${prefix}-kubelet-dropin`, target, { path: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", content: dropIn, mode: "0644" }, { parent, dependsOn: [runtime] }),
  ];
  const script = renderTemplate("scripts/install-kubernetes-offline.sh", { staging: ARTIFACT_STAGING, tools: wanted.tools.join(" "), images: wanted.images.join(" ") });
  return runScript(
    `${prefix}-kubernetes`,
    target,
    { script, inputs: { unit, dropIn, artifacts: files.map((file) => fileStamp(path.join(artifactDir, file))).join("\n") } },
    { parent, dependsOn: [...uploads, ...units] },
  );
}
