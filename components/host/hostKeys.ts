// The host key every connection to an endpoint must present. Pinned and known_hosts keys are
// config; a key trusted on first use is read once, by the first `pulumi up`, over a connection
// that accepts any key and carries nothing secret (the public keys are cat'ed), and is then kept
// in the state: the step never runs again (a connection change re-runs no step), so a host that
// later presents another key is refused. `npm run forget-host -- STACK HOST --rebuilt` forgets it
// with the host's other steps.
import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { fingerprint, hostKeysOf } from "../../config/hostKeyText";
import { HostKeySource, SOURCE_LABELS } from "../../plan/hostKeys";
import { PATHS } from "../../plan/paths";

export interface EndpointKey {
  /** The keys the endpoint may present, one per line; undefined only when verification is off. */
  readonly hostKey: pulumi.Output<string> | undefined;
  /** For the stack output: "TYPE SHA256:... (source)". */
  readonly description: pulumi.Output<string>;
}

/** The command of the first-use read: sshd's public host keys (world-readable, no sudo). */
export const READ_HOST_KEYS = `cat ${PATHS.sshHostPublicKeys}`;

export function endpointKey(name: string, source: HostKeySource, firstUse: types.input.remote.ConnectionArgs, opts: pulumi.CustomResourceOptions): EndpointKey {
  const label = SOURCE_LABELS[source.kind];
  if (source.kind === "insecure") return { hostKey: undefined, description: pulumi.output(label) };
  const hostKey =
    source.kind === "firstUse"
      ? new remote.Command(`${name}-host-key`, { connection: firstUse, create: READ_HOST_KEYS, addPreviousOutputInEnv: false, logging: "none" }, opts).stdout.apply((text) => {
          const keys = hostKeysOf(text);
          if (keys.length === 0) throw new Error(`kubeha: ${name}: no SSH host public key in ${PATHS.sshHostPublicKeys}. Fix: pin the host's key (hostKey) or name it in kubeha:knownHostsFile.`);
          return keys.join("\n");
        })
      : pulumi.output(source.keys.join("\n"));
  const description = hostKey.apply(
    (keys) =>
      `${keys
        .split("\n")
        .map((k) => `${k.split(" ")[0]} ${fingerprint(k)}`)
        .join(", ")} (${label})`,
  );
  return { hostKey, description };
}
