// LoadBalancerPair: keepalived holds the VIP on the lb hosts by VRRP priority, and nginx there
// balances TCP over every kube-apiserver (seeds 000, 001). With apiEndpoint local (seed 002) it is
// an nginx on every node proxying 127.0.0.1:lbPort to the apiservers, with no VIP.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { remote } from "@pulumi/command";
import { ApiEndpoint, Host } from "../config/types";
import { putFile, runScript } from "../lib/remote";
import { renderTemplate } from "../lib/render";
import { ReadyTarget } from "./hostInventory";
import { CHECK_SCRIPT, checkScriptView, KEEPALIVED_AUTH, KEEPALIVED_CONF, keepalivedView, nginxView } from "./loadBalancerViews";

export const LB_PACKAGES_VIP = "nginx libnginx-mod-stream keepalived curl";
export const LB_PACKAGES_LOCAL = "nginx libnginx-mod-stream";

export interface LoadBalancerPairArgs {
  readonly endpoint: ApiEndpoint;
  /** The apiservers nginx balances over. */
  readonly masters: readonly Host[];
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** Prefix length of the hosts' network, for the VIP's address. */
  readonly hostPrefix: number;
  readonly packageSource: "online" | "offline";
  /** Steps that come first in the bootstrap order (the etcd health gate). */
  readonly after?: pulumi.Resource[];
}

export class LoadBalancerPair extends pulumi.ComponentResource {
  /** host:port clients use for the API. */
  readonly endpoint: string;
  /** Completes when the endpoint answers (vip) or nginx runs everywhere (local). */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: LoadBalancerPairArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:LoadBalancerPair", name, {}, opts);
    const vip = args.endpoint.mode === "vip";
    // keepalived's PASS authentication uses at most 8 characters.
    const password = vip ? new random.RandomPassword(`${name}-vrrp-auth`, { length: 8, special: false }, { parent: this }) : undefined;
    const nginxConf = renderTemplate("nginx/nginx.conf", nginxView(args.endpoint, args.masters));
    const applied = args.endpoint.lbHosts.map((host) => {
      const target = args.targets.get(host.name)!;
      const prefix = `${name}-${host.name}`;
      const install = runScript(
        `${prefix}-packages`,
        target,
        { script: renderTemplate("scripts/install-packages.sh", { packages: vip ? LB_PACKAGES_VIP : LB_PACKAGES_LOCAL, source: args.packageSource }) },
        { parent: this, dependsOn: [target.ready, ...(args.after ?? [])] },
      );
      const nginx = this.nginx(prefix, target, nginxConf, install);
      return vip ? this.keepalived(prefix, host, target, args, password!.result, [install, nginx]) : nginx;
    });
    this.endpoint = `${args.endpoint.address}:${args.endpoint.port}`;
    this.ready = vip ? args.endpoint.lbHosts.map((host) => this.waitForVip(name, host, args, applied)) : applied;
    this.registerOutputs({ endpoint: this.endpoint });
  }

  private nginx(prefix: string, target: ReadyTarget, conf: string, install: remote.Command): remote.Command {
    const file = putFile(`${prefix}-nginx-conf`, target, { path: "/etc/nginx/nginx.conf", content: conf, mode: "0644" }, { parent: this, dependsOn: [install] });
    return runScript(`${prefix}-nginx-apply`, target, { script: renderTemplate("scripts/apply-nginx.sh", {}), inputs: { conf }, deleteCommand: stopCommand(target, "nginx") }, { parent: this, dependsOn: [file] });
  }

  private keepalived(prefix: string, host: Host, target: ReadyTarget, args: LoadBalancerPairArgs, password: pulumi.Output<string>, after: pulumi.Resource[]): remote.Command {
    const conf = renderTemplate("keepalived/keepalived.conf", keepalivedView(host, args.endpoint, args.hostPrefix));
    const auth = password.apply((authPassword) => renderTemplate("keepalived/kubeha-auth.conf", { authPassword }));
    const check = renderTemplate("keepalived/check_apiserver.sh", checkScriptView(args.endpoint, args.masters));
    const dropIn = renderTemplate("keepalived/kubeha-wait-address.conf", { address: host.address });
    const opts = { parent: this, dependsOn: after };
    const files = [
      putFile(`${prefix}-keepalived-wait-address`, target, { path: KEEPALIVED_DROP_IN, content: dropIn, mode: "0644" }, opts),
      putFile(`${prefix}-keepalived-conf`, target, { path: KEEPALIVED_CONF, content: conf, mode: "0644" }, opts),
      putFile(`${prefix}-keepalived-auth`, target, { path: KEEPALIVED_AUTH, content: auth, mode: "0600", secret: true }, opts),
      putFile(`${prefix}-check-apiserver`, target, { path: CHECK_SCRIPT, content: check, mode: "0755" }, opts),
    ];
    return runScript(
      `${prefix}-keepalived-apply`,
      target,
      { script: renderTemplate("scripts/apply-keepalived.sh", {}), inputs: { conf, auth, check, dropIn }, deleteCommand: stopCommand(target, "keepalived") },
      { parent: this, dependsOn: files },
    );
  }

  private waitForVip(name: string, host: Host, args: LoadBalancerPairArgs, applied: pulumi.Resource[]): remote.Command {
    const script = renderTemplate("scripts/wait-endpoint.sh", { address: args.endpoint.address, port: args.endpoint.port, timeoutSeconds: 90 });
    return runScript(`${name}-${host.name}-vip-answers`, args.targets.get(host.name)!, { script }, { parent: this, dependsOn: applied });
  }
}

/** systemd drop-in: keepalived starts once its unicast source address is configured. */
export const KEEPALIVED_DROP_IN = "/etc/systemd/system/keepalived.service.d/kubeha.conf";

/** Run on a host that leaves the load balancer: it must stop answering for the endpoint (and give up the VIP). */
export function stopCommand(target: ReadyTarget, service: "nginx" | "keepalived"): string {
  return `${target.sudo}systemctl disable --now ${service}.service`;
}
