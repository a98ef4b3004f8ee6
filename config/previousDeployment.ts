// The membership of the last deployment of this very stack, read through a StackReference to
// itself, so that dangerous membership changes are refused before any resource is touched.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { checkMembershipChange, keepInitMasterFirst, Membership, membershipOf } from "./membership";
import { ClusterSpec } from "./types";

/**
 * The spec to deploy: the membership change checked against the last deployment, and the master
 * that ran `kubeadm init` kept first (see keepInitMasterFirst). Also the StackReference, which the
 * destroy guard waits for (a destroy would otherwise forget it beside the guard).
 */
export async function againstPreviousDeployment(spec: ClusterSpec): Promise<{ spec: ClusterSpec; reference: pulumi.StackReference }> {
  const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
  const previous = (await self.getOutputDetails("membership")).value as Membership | undefined;
  try {
    checkMembershipChange(previous, membershipOf(spec));
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
  return { spec: keepInitMasterFirst(spec, previous), reference: self };
}
