// DestroyGuard: `pulumi destroy` resets every host, so it must be asked for. The guard depends on
// every other resource of the cluster, which makes it the first resource a destroy deletes, alone:
// its delete refuses unless kubeha:allowDestroy was true at the last `pulumi up`, and a refused
// destroy stops there, before any host is touched. `pulumi destroy` does not run the program, so
// the setting is the one recorded in the state, which a `pulumi up` updates (and nothing else).
//
// A Pulumi dynamic resource: the refusal runs on the machine running Pulumi, with no SSH. Its
// provider is serialized into the state, so it may use only its arguments (no imports, no closure).
import * as pulumi from "@pulumi/pulumi";

export interface GuardProps {
  readonly allowed: boolean;
  readonly clusterName: string;
  readonly stack: string;
}

/** Bumped when the provider's behaviour changes, so that deployed guards take the new code at the next `pulumi up`. */
export const GUARD_VERSION = 1;

/** The refusal's text: kept in the guard's props, which the provider's delete reads from the state. */
export function refusalMessage(props: GuardProps): string {
  return (
    `kubeha refuses to destroy cluster ${props.clusterName} (stack ${props.stack}): kubeha:allowDestroy was not true at the last \`pulumi up\`, ` +
    "and a destroy resets every host (kubeadm reset, etcd data and keys removed). Nothing was touched. " +
    `To destroy it: \`pulumi config set kubeha:allowDestroy true --stack ${props.stack}\`, \`pulumi up\` (it changes only this guard), then \`pulumi destroy\`.`
  );
}

export const guardProvider: pulumi.dynamic.ResourceProvider = {
  create(inputs: GuardProps & { version: number }) {
    return Promise.resolve({ id: `${inputs.stack}-${inputs.clusterName}`, outs: inputs });
  },
  diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const keys = ["allowed", "clusterName", "stack", "version", "message"];
    return Promise.resolve({ changes: keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])), replaces: [], deleteBeforeReplace: false });
  },
  update(_id: string, _olds: unknown, news: GuardProps & { version: number }) {
    return Promise.resolve({ outs: news });
  },
  delete(_id: string, props: { allowed?: unknown; message?: string }) {
    return props.allowed === true ? Promise.resolve() : Promise.reject(new Error(props.message ?? "kubeha refuses to destroy this cluster: set kubeha:allowDestroy true and run pulumi up first"));
  },
};

export interface DestroyGuardArgs {
  readonly allowed: boolean;
  readonly clusterName: string;
  /** Every component of the cluster: the guard is deleted before any of their resources. */
  readonly guarding: pulumi.Resource[];
}

export class DestroyGuard extends pulumi.dynamic.Resource {
  constructor(name: string, args: DestroyGuardArgs) {
    const props: GuardProps = { allowed: args.allowed, clusterName: args.clusterName, stack: pulumi.getStack() };
    super(guardProvider, name, { ...props, version: GUARD_VERSION, message: refusalMessage(props) }, { dependsOn: args.guarding }, "kubeha", "DestroyGuard");
  }
}
