// Pure view builders for the load balancer's templates: every value the templates print is
// computed here, so templates stay logic-less and the numbers are unit-tested.
import { MAX_PRIORITY_SPREAD } from "../../config/endpoint";
import { ApiEndpoint, Host } from "../../config/types";
import { PATHS, PORTS } from "../../plan/paths";
import { trackScriptTimings } from "../../plan/trackScript";

/**
 * nginx passive health checking: a server failing once is skipped for failTimeout, after which one
 * connection tries it again. A dead host costs that connection the connect timeout, every failTimeout.
 */
export const NGINX_MAX_FAILS = 1;
export const NGINX_FAIL_TIMEOUT = "20s";
/** Masters share the VIP's network: a live apiserver accepts within milliseconds, a dead host never does. */
export const NGINX_CONNECT_TIMEOUT = "500ms";

export function nginxView(endpoint: ApiEndpoint, masters: readonly Host[]) {
  return {
    upstreams: masters.map((m) => ({ name: m.name, address: m.address, port: PORTS.apiserver, maxFails: NGINX_MAX_FAILS, failTimeout: NGINX_FAIL_TIMEOUT })),
    // In local mode nginx serves only its own node; with a VIP it must accept connections to the VIP.
    listenAddress: endpoint.mode === "local" ? "127.0.0.1" : "0.0.0.0",
    listenPort: endpoint.port,
    connectTimeout: NGINX_CONNECT_TIMEOUT,
    nextUpstreamTries: masters.length,
  };
}

/**
 * The track script's weight: a failing host drops below every healthy one. Fixed (validation keeps
 * priorities closer than this), so changing one host's priority re-renders only that host's config.
 */
export const CHECK_WEIGHT = -MAX_PRIORITY_SPREAD;

export function keepalivedView(host: Host, endpoint: ApiEndpoint, hostPrefix: number, paths = { authFile: PATHS.keepalivedAuth, checkScript: PATHS.keepalivedCheckScript }) {
  const { vrrp } = endpoint;
  const check = trackScriptTimings(vrrp.advertInterval);
  return {
    ...paths,
    name: host.name,
    routerName: `kubeha_${host.name.replace(/-/g, "_")}`,
    address: host.address,
    priority: host.vrrpPriority!,
    peers: endpoint.lbHosts.filter((h) => h.name !== host.name).map((h) => ({ name: h.name, address: h.address })),
    interface: endpoint.vrrp.interface,
    routerId: endpoint.vrrp.routerId,
    advertInterval: String(vrrp.advertInterval),
    // Version 2 renders no `version` line (keepalived's default), as before version 3 existed.
    version3: vrrp.version === 3,
    // VRRPv3 has no authentication: keepalived refuses the block.
    authentication: vrrp.version === 2,
    preemptDelay: vrrp.preemptDelay > 0 ? { seconds: vrrp.preemptDelay } : false,
    vip: endpoint.vip!,
    prefix: hostPrefix,
    checkInterval: check.interval,
    checkTimeout: check.timeout,
    checkFall: check.fall,
    checkRise: check.rise,
    checkWeight: CHECK_WEIGHT,
  };
}

export function checkScriptView(endpoint: ApiEndpoint, masters: readonly Host[]) {
  return { lbPort: endpoint.port, apiservers: masters.map((m) => `${m.address}:${PORTS.apiserver}`).join(" ") };
}
