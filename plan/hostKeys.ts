// Where each SSH endpoint's host key comes from, in the order issue 12 sets: the key pinned in
// config, the known_hosts file, else trust on first use (recorded in the state by the first
// `pulumi up`; preview never connects). Verification is off only when the stack says so.
import { knownKeysFor } from "../config/knownHosts";
import { HostKeyPolicy } from "../config/types";

export type HostKeySource =
  { readonly kind: "pinned"; readonly keys: readonly string[] } | { readonly kind: "knownHostsFile"; readonly keys: readonly string[] } | { readonly kind: "firstUse" } | { readonly kind: "insecure" };

export interface SshEndpoint {
  readonly address: string;
  readonly port: number;
  readonly pinned?: string;
}

export function hostKeySource(endpoint: SshEndpoint, policy: HostKeyPolicy): HostKeySource {
  if (!policy.verify) return { kind: "insecure" };
  if (endpoint.pinned) return { kind: "pinned", keys: [endpoint.pinned] };
  const known = knownKeysFor(policy.knownHosts, endpoint.address, endpoint.port);
  if (known.keys.length > 0) return { kind: "knownHostsFile", keys: known.keys };
  return { kind: "firstUse" };
}

/** What the stack output says of a source. */
export const SOURCE_LABELS: Record<HostKeySource["kind"], string> = {
  pinned: "pinned in config",
  knownHostsFile: "from kubeha:knownHostsFile",
  firstUse: "trusted on first use",
  insecure: "NOT VERIFIED (kubeha:insecureSkipHostKeyVerification)",
};
