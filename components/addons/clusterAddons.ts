// ClusterAddons: what runs inside the cluster once the control plane answers, applied through
// @pulumi/kubernetes with a provider built from the ControlPlane's kubeconfig output.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KubernetesSettings } from "../../config/types";
import { deployFlannel } from "./flannel";

export interface ClusterAddonsArgs {
  /** Secret. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly kubernetes: KubernetesSettings;
  /** Steps after which the API is reachable (the control plane has joined). */
  readonly apiReady: pulumi.Resource[];
}

export class ClusterAddons extends pulumi.ComponentResource {
  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:ClusterAddons", name, {}, opts);
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: args.kubeconfig }, { parent: this, dependsOn: args.apiReady });
    if (args.kubernetes.cni === "flannel") deployFlannel(`${name}-flannel`, args.kubernetes.podCidr, { parent: this, provider, dependsOn: args.apiReady });
    this.registerOutputs({});
  }
}
