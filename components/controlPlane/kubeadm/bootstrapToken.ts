// kubeha's bootstrap tokens: one per set of joining nodes (plan/joinToken.ts), derived from a base
// secret Pulumi keeps, issued on the first master before the joins and revoked once they are done.
// Between the two it exists only as kube-system's Secret and inside the join steps' scripts.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { remote } from "@pulumi/command";
import { deriveJoinToken, joinContext } from "../../../plan/joinToken";
import { ReadyTarget } from "../../host/hostInventory";
import { runStep, STEPS } from "../../host/steps";

/** How long a token lives at most, should its revoke step not run (a join failed): 2 h. */
export const BOOTSTRAP_TOKEN_TTL_SECONDS = 7200;

/** The label of kubeha's token Secrets: an issue removes the others that have it. */
export const BOOTSTRAP_TOKEN_LABEL = "kubeha.io/bootstrap-token";

/** The description of kubeha's tokens, unlabelled ones of its earlier versions too: the revoke step deletes every token that has it. */
export const BOOTSTRAP_TOKEN_DESCRIPTION = "kubeha: joins of nodes";

/**
 * How long the token steps retry the API: right after the joins, an apiserver behind
 * the VIP may still refuse the admin (Forbidden) until its RBAC cache has caught up (seen in the lab).
 */
const TOKEN_API_RETRY_SECONDS = 60;

const TOKEN_VIEW = { label: BOOTSTRAP_TOKEN_LABEL, description: BOOTSTRAP_TOKEN_DESCRIPTION };

/** The stack's base secret "[a-z0-9]{6}.[a-z0-9]{16}" (@pulumi/random; once the token itself). */
export function tokenBase(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const part = (suffix: string, length: number) => new random.RandomPassword(`${name}-token-${suffix}`, { length, upper: false, special: false }, { parent }).result;
  return pulumi.secret(pulumi.interpolate`${part("id", 6)}.${part("secret", 16)}`);
}

/** The token of this set of joins: the joiners' names and host keys (a reinstalled host presents new ones). */
export function joinToken(base: pulumi.Output<string>, joiners: readonly string[], targets: ReadonlyMap<string, ReadyTarget>): pulumi.Output<string> {
  const keys = joiners.map((name) => pulumi.output(targets.get(name)!.connection.hostKey ?? "").apply((hostKey) => ({ name, hostKey })));
  return pulumi.secret(pulumi.all([base, pulumi.all(keys)]).apply(([b, joining]) => deriveJoinToken(b, joinContext(joining))));
}

/** Issues the token on the first master (re-run when it changes: the joiners changed). */
export function issueToken(prefix: string, target: ReadyTarget, token: pulumi.Output<string>, parent: pulumi.Resource, initialised: pulumi.Resource): remote.Command {
  const view = { ...TOKEN_VIEW, ttlSeconds: BOOTSTRAP_TOKEN_TTL_SECONDS, retrySeconds: TOKEN_API_RETRY_SECONDS };
  return runStep(prefix, target, STEPS.bootstrapToken, { view, secrets: { token } }, { parent, dependsOn: [initialised] });
}

/** Revokes kubeha's tokens once every join of this token is done (re-run with the next token). */
export function revokeToken(prefix: string, target: ReadyTarget, token: pulumi.Output<string>, parent: pulumi.Resource, joined: pulumi.Resource[]): remote.Command {
  const view = { ...TOKEN_VIEW, retrySeconds: TOKEN_API_RETRY_SECONDS };
  return runStep(prefix, target, STEPS.bootstrapTokenRevoke, { view, inputs: { token } }, { parent, dependsOn: joined });
}
