// kubeha's bootstrap token: made in Pulumi (a secret), written to the first master and (re)created
// there with kubeadm whenever the set of joining nodes changes.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { remote } from "@pulumi/command";
import { PATHS } from "../../../plan/paths";
import { ReadyTarget } from "../../host/hostInventory";
import { putFile } from "../../host/remote";
import { runStep, STEPS } from "../../host/steps";

/** How long the bootstrap token lives after the set of joining nodes last changed (2 h). */
export const BOOTSTRAP_TOKEN_TTL_SECONDS = 7200;

/** A kubeadm bootstrap token "[a-z0-9]{6}.[a-z0-9]{16}", a secret from @pulumi/random. */
export function bootstrapToken(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const part = (suffix: string, length: number) => new random.RandomPassword(`${name}-token-${suffix}`, { length, upper: false, special: false }, { parent }).result;
  return pulumi.secret(pulumi.interpolate`${part("id", 6)}.${part("secret", 16)}`);
}

/** Places the token on the first master and issues it; re-issued when the joiners change. */
export function issueToken(prefix: string, target: ReadyTarget, token: pulumi.Output<string>, joiners: readonly string[], parent: pulumi.Resource, initialised: pulumi.Resource): remote.Command {
  const file = putFile(`${prefix}-bootstrap-token`, target, { path: PATHS.bootstrapTokenFile, content: token, mode: "0600", secret: true }, { parent, dependsOn: [initialised] });
  const inputs = { token, joiners: [...joiners].sort().join(",") };
  return runStep(prefix, target, STEPS.bootstrapToken, { view: { ttlSeconds: BOOTSTRAP_TOKEN_TTL_SECONDS }, inputs }, { parent, dependsOn: [file] });
}
