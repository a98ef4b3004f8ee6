// LoadBalancerPair: keepalived holds the VIP on the lb hosts by VRRP priority, and nginx there
// balances TCP over every kube-apiserver (seeds 000, 001). With apiEndpoint local (seed 002) it is
// an nginx on every node proxying 127.0.0.1:lbPort to the apiservers, with no VIP.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { remote } from "@pulumi/command";
import { ApiEndpoint, Host } from "../../config/types";
import { PATHS, UNITS } from "../../plan/paths";
import { ReadyTarget } from "../host/hostInventory";
import { putFile } from "../host/remote";
import { renderFile } from "../host/script";
import { runStep, STEPS } from "../host/steps";
import { checkScriptView, keepalivedView, nginxView } from "./views";

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
    const nginxConf = renderFile("endpoint/nginx.conf", nginxView(args.endpoint, args.masters));
    const applied = args.endpoint.lbHosts.map((host) => {
      const target = args.targets.get(host.name)!;
      const prefix = `${name}-${host.name}`;
      const view = { packages: vip ? LB_PACKAGES_VIP : LB_PACKAGES_LOCAL, source: args.packageSource };
      const install = runStep(prefix, target, STEPS.packages, { view }, { parent: this, dependsOn: [target.ready, ...(args.after ?? [])] });
      const nginx = this.nginx(prefix, target, nginxConf, install);
      return vip ? this.keepalived(prefix, host, target, args, password!.result, [install, nginx]) : nginx;
    });
    this.endpoint = `${args.endpoint.address}:${args.endpoint.port}`;
    this.ready = vip ? args.endpoint.lbHosts.map((host) => this.waitForVip(name, host, args, applied)) : applied;
    this.registerOutputs({ endpoint: this.endpoint });
  }

  private nginx(prefix: string, target: ReadyTarget, conf: string, install: remote.Command): remote.Command {
    const file = putFile(`${prefix}-nginx-conf`, target, { path: PATHS.nginxConf, content: conf, mode: "0644" }, { parent: this, dependsOn: [install] });
    return runStep(prefix, target, STEPS.nginxApply, { inputs: { conf }, deleteCommand: stopCommand(target, "nginx") }, { parent: this, dependsOn: [file] });
  }

  private keepalived(prefix: string, host: Host, target: ReadyTarget, args: LoadBalancerPairArgs, password: pulumi.Output<string>, after: pulumi.Resource[]): remote.Command {
    const conf = renderFile("endpoint/keepalived.conf", keepalivedView(host, args.endpoint, args.hostPrefix));
    const auth = password.apply((authPassword) => renderFile("endpoint/kubeha-auth.conf", { authPassword }));
    const check = renderFile("endpoint/check_apiserver.sh", checkScriptView(args.endpoint, args.masters));
    const dropIn = renderFile("endpoint/kubeha-wait-address.conf", { address: host.address });
    const opts = { parent: this, dependsOn: after };
    const files = [
      putFile(`${prefix}-keepalived-wait-address`, target, { path: PATHS.keepalivedDropIn, content: dropIn, mode: "0644" }, opts),
      putFile(`${prefix}-keepalived-conf`, target, { path: PATHS.keepalivedConf, content: conf, mode: "0644" }, opts),
      putFile(`${prefix}-keepalived-auth`, target, { path: PATHS.keepalivedAuth, content: auth, mode: "0600", secret: true }, opts),
      putFile(`${prefix}-check-apiserver`, target, { path: PATHS.keepalivedCheckScript, content: check, mode: "0755" }, opts),
    ];
    return runStep(prefix, target, STEPS.keepalivedApply, { inputs: { conf, auth, check, dropIn }, deleteCommand: stopCommand(target, "keepalived") }, { parent: this, dependsOn: files });
  }

  private waitForVip(name: string, host: Host, args: LoadBalancerPairArgs, applied: pulumi.Resource[]): remote.Command {
    const view = { address: args.endpoint.address, port: args.endpoint.port, timeoutSeconds: 90 };
    return runStep(`${name}-${host.name}`, args.targets.get(host.name)!, STEPS.vipAnswers, { view }, { parent: this, dependsOn: applied });
  }
}

/** Run on a host that leaves the load balancer: it must stop answering for the endpoint (and give up the VIP). */
export function stopCommand(target: ReadyTarget, service: "nginx" | "keepalived"): string {
  return `${target.sudo}systemctl disable --now ${UNITS[service]}`;
}
