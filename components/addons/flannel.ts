// The flannel CNI (VXLAN) as typed Kubernetes objects: the upstream kube-flannel.yml, with the pod
// network taken from config.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { VERSIONS } from "../../plan/versions";

export const FLANNEL_IMAGE = VERSIONS.flannelImage;
export const FLANNEL_CNI_PLUGIN_IMAGE = VERSIONS.flannelCniPluginImage;

export function flannelNetConf(podCidr: string): string {
  return JSON.stringify({ Network: podCidr, EnableNFTables: false, Backend: { Type: "vxlan" } }, null, 2);
}

export const FLANNEL_CNI_CONF = JSON.stringify(
  {
    name: "cbr0",
    cniVersion: "0.3.1",
    plugins: [
      { type: "flannel", delegate: { hairpinMode: true, isDefaultGateway: true } },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  },
  null,
  2,
);

export function deployFlannel(name: string, podCidr: string, opts: pulumi.CustomResourceOptions): k8s.apps.v1.DaemonSet {
  const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: "kube-flannel", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } }, opts);
  const ns = namespace.metadata.name;
  const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: "flannel", namespace: ns } }, opts);
  const role = new k8s.rbac.v1.ClusterRole(
    `${name}-role`,
    {
      metadata: { name: "flannel" },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] },
      ],
    },
    opts,
  );
  new k8s.rbac.v1.ClusterRoleBinding(
    `${name}-binding`,
    {
      metadata: { name: "flannel" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
      subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: ns }],
    },
    opts,
  );
  const config = new k8s.core.v1.ConfigMap(
    `${name}-cfg`,
    { metadata: { name: "kube-flannel-cfg", namespace: ns, labels: { app: "flannel" } }, data: { "cni-conf.json": FLANNEL_CNI_CONF, "net-conf.json": flannelNetConf(podCidr) } },
    opts,
  );
  const labels = { app: "flannel" };
  return new k8s.apps.v1.DaemonSet(
    `${name}-ds`,
    {
      metadata: { name: "kube-flannel-ds", namespace: ns, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            hostNetwork: true,
            priorityClassName: "system-node-critical",
            tolerations: [
              { operator: "Exists", effect: "NoSchedule" },
              { operator: "Exists", effect: "NoExecute" },
            ],
            serviceAccountName: account.metadata.name,
            initContainers: [
              {
                name: "install-cni-plugin",
                image: FLANNEL_CNI_PLUGIN_IMAGE,
                command: ["cp"],
                args: ["-f", "/flannel", "/opt/cni/bin/flannel"],
                volumeMounts: [{ name: "cni-plugin", mountPath: "/opt/cni/bin" }],
              },
              {
                name: "install-cni",
                image: FLANNEL_IMAGE,
                command: ["cp"],
                args: ["-f", "/etc/kube-flannel/cni-conf.json", "/etc/cni/net.d/10-flannel.conflist"],
                volumeMounts: [
                  { name: "cni", mountPath: "/etc/cni/net.d" },
                  { name: "flannel-cfg", mountPath: "/etc/kube-flannel/" },
                ],
              },
            ],
            containers: [
              {
                name: "kube-flannel",
                image: FLANNEL_IMAGE,
                command: ["/opt/bin/flanneld"],
                args: ["--ip-masq", "--kube-subnet-mgr"],
                resources: { requests: { cpu: "100m", memory: "50Mi" } },
                securityContext: { privileged: false, capabilities: { add: ["NET_ADMIN", "NET_RAW"] } },
                env: [
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                  { name: "EVENT_QUEUE_DEPTH", value: "5000" },
                ],
                volumeMounts: [
                  { name: "run", mountPath: "/run/flannel" },
                  { name: "flannel-cfg", mountPath: "/etc/kube-flannel/" },
                  { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                ],
              },
            ],
            volumes: [
              { name: "run", hostPath: { path: "/run/flannel" } },
              { name: "cni-plugin", hostPath: { path: "/opt/cni/bin" } },
              { name: "cni", hostPath: { path: "/etc/cni/net.d" } },
              { name: "flannel-cfg", configMap: { name: config.metadata.name } },
              { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
            ],
          },
        },
      },
    },
    opts,
  );
}
