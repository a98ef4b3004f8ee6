// The membership of the last deployment of this very stack, read through a StackReference to
// itself, so that dangerous membership changes are refused before any resource is touched.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { checkMembershipChange, Membership } from "./membership";
import { ClusterSpec } from "./types";

export function membershipOf(spec: ClusterSpec): Membership {
  return { etcd: spec.etcd.members.map((h) => h.name), masters: spec.masters.map((h) => h.name) };
}

export async function guardMembershipChange(spec: ClusterSpec): Promise<void> {
  const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
  const details = await self.getOutputDetails("membership");
  try {
    checkMembershipChange(details.value as Membership | undefined, membershipOf(spec));
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
