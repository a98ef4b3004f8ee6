// End-to-end: VRRP version 3 with 0.2 s adverts and a 30 s preempt delay on the lab (issue 17).
// The holder of the VIP is hard-stopped while a probe hits /readyz through the VIP: the VIP must
// move to exactly one survivor and the API answer again (the outage is printed). The stopped host
// then comes back: its apiserver joins the rotation only once ready (the boot gate: no probe fails
// while it warms up), it must not take the VIP back while the holder is healthy, and takes it back
// once, after the delay. The original config is restored and deployed at the end. About 4-5 min.
import * as fs from "fs";
import { describeWithPlugins } from "../fixtures/pulumiCli";
import { longestOutage, ProbeSample, startReadyzProbe } from "../fixtures/cluster";
import { UNITS } from "../../plan/paths";
import { hardStopVipHolder } from "../fixtures/hardStop";
import { labOk, lastUpdate, masters, masterTransitions, masterTransitionTimes, sshOk, STACK_FILE, upOk, useDeployedLab, vipHolders, waitFor } from "../fixtures/lab";

jest.setTimeout(600000);

const describeReal = describeWithPlugins("VRRP version 3 failover end-to-end tests");

const ADVERT = 0.2;
const PREEMPT_DELAY_S = 30;
/** The lab's VRRP version 2 (1 s adverts) measures about 3.1 s of API outage (README); version 3 at 0.2 s must do better. */
const MAX_OUTAGE_MS = 2500;
const ANCHOR = "  kubeha:vrrpInterface: host0\n";

function withVrrp3(config: string): string {
  if (!config.includes(ANCHOR)) throw new Error(`${STACK_FILE} has no line ${JSON.stringify(ANCHOR)} to add the VRRP settings after`);
  return config.replace(ANCHOR, `${ANCHOR}  kubeha:vrrpVersion: 3\n  kubeha:vrrpAdvertInterval: ${ADVERT}\n  kubeha:vrrpPreemptDelay: ${PREEMPT_DELAY_S}\n`);
}

/** keepalived's configuration on a lab master (the masters are the lb hosts). */
function keepalivedConf(host: string): string {
  return sshOk(host, "cat /etc/keepalived/keepalived.conf");
}

describeReal("VRRP version 3 failover in the lab", () => {
  let originalConfig: string;
  let victim: string;
  let survivor: string;

  beforeAll(() => {
    useDeployedLab();
    originalConfig = fs.readFileSync(STACK_FILE, "utf8");
  });

  afterAll(() => {
    if (originalConfig) fs.writeFileSync(STACK_FILE, originalConfig);
  });

  test("switching to version 3 at 0.2 s rewrites keepalived.conf on each lb host and nothing else", () => {
    fs.writeFileSync(STACK_FILE, withVrrp3(originalConfig));
    upOk();
    // keepalived-conf and keepalived-apply on each of the three masters.
    expect(lastUpdate().resourceChanges.update).toBe(6);
    for (const host of masters()) {
      const conf = keepalivedConf(host);
      expect(conf).toContain(`  version 3\n  advert_int ${ADVERT}\n  preempt_delay ${PREEMPT_DELAY_S}\n`);
      expect(conf).not.toContain("authentication");
      expect(sshOk(host, "systemctl is-active keepalived").trim()).toBe("active");
    }
    expect(vipHolders(5000)).toHaveLength(1);
  });

  test("hard-stopping the holder: the VIP moves to exactly one survivor and /readyz answers again", async () => {
    const stop = await hardStopVipHolder({ probeIntervalMs: 100, vipTimeoutMs: 30000, apiTimeoutMs: 60000 });
    ({ victim, survivor } = stop);
    const outage = longestOutage(stop.samples);
    const failures = stop.samples.filter((s) => !s.ok).length;
    console.log(
      `VRRP v3 at ${ADVERT} s, hard stop of ${victim}: VIP on ${survivor} after ${stop.vipMs} ms (seen over SSH), kubectl answered after ${stop.apiMs} ms; /readyz through the VIP unavailable for ${outage} ms (${failures} of ${stop.samples.length} probes failed)`,
    );
    expect(stop.samples.length).toBeGreaterThan(20);
    expect(stop.samples[stop.samples.length - 1].ok).toBe(true);
    expect(outage).toBeLessThan(MAX_OUTAGE_MS);
    expect(vipHolders(5000)).toEqual([survivor]);
  });

  test("the stopped host comes back: its apiserver stays out of rotation until ready, the VIP stays with the healthy holder, and moves back once after the preempt delay", async () => {
    const since = Math.floor(Date.now() / 1000);
    // Through the VIP every 100 ms while the host boots, its apiserver warms up behind the
    // holder's nginx (the boot gate keeps it out until ready), and the VIP moves back.
    const probe = startReadyzProbe(100);
    let samples: ProbeSample[];
    try {
      labOk(["start", victim]);
      await waitFor(`${victim}'s keepalived to run`, () => sshOk(victim, "systemctl is-active keepalived || true").trim() === "active", 120000, 1000);
      // The delay starts once the returning host's own check passes (its priority is above the
      // holder's from then on): watch well inside it, counting from keepalived's start.
      const watchUntil = Date.now() + (PREEMPT_DELAY_S - 10) * 1000;
      while (Date.now() < watchUntil) {
        expect(vipHolders(5000)).toEqual([survivor]);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(masterTransitions(victim, since)).toBe(0);
      // Then the one documented move: the higher-priority host takes the VIP back after the delay.
      const backMs = await waitFor(`the VIP back on ${victim}`, () => vipHolders(5000).join() === victim, (PREEMPT_DELAY_S + 60) * 1000, 1000);
      console.log(`VRRP v3: ${victim} took the VIP back ${backMs + (PREEMPT_DELAY_S - 10) * 1000} ms after its keepalived started (preempt delay ${PREEMPT_DELAY_S} s)`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    } finally {
      samples = await probe.stop();
    }
    expect(vipHolders(5000)).toEqual([victim]);
    const moves = masterTransitionTimes(victim, since);
    expect(moves).toHaveLength(1);
    expect(masterTransitions(survivor, since)).toBe(0);
    // Before the move (less half a second of clock and probe skew) only the warm-up could fail:
    // none may. The move itself resets what is open through the old holder: printed, not bounded.
    const warmup = samples.filter((s) => s.at < moves[0] - 500);
    const move = samples.filter((s) => s.at >= moves[0] - 500);
    const failedCodes = (list: typeof samples) => list.filter((s) => !s.ok).map((s) => s.code);
    const gateLog = sshOk(victim, `journalctl -u ${UNITS.apiserverGate} -b --no-pager -o cat`);
    console.log(
      `${victim} back: /readyz through the VIP while it booted and its apiserver warmed up: ${failedCodes(warmup).length} of ${warmup.length} probes failed; ` +
        `from the VIP's move back on: ${failedCodes(move).length} of ${move.length} (codes ${failedCodes(move).join(",") || "-"}); boot gate: ${
          gateLog
            .split("\n")
            .filter((line) => line.includes("[kubeha]"))
            .pop() ?? "(no line of its own)"
        }`,
    );
    expect(warmup.length).toBeGreaterThan(100);
    expect(failedCodes(warmup)).toEqual([]);
    expect(gateLog).toContain("kube-apiserver ready: back in rotation");
    expect(sshOk(victim, "iptables -S")).not.toContain("kubeha-gate-apiserver");
  });

  test("restoring the original config deploys version 2 again", () => {
    fs.writeFileSync(STACK_FILE, originalConfig);
    upOk();
    expect(lastUpdate().resourceChanges.update).toBe(6);
    for (const host of masters()) {
      const conf = keepalivedConf(host);
      expect(conf).not.toContain("version 3");
      expect(conf).toContain("  advert_int 1\n");
      expect(conf).toContain("  authentication {\n");
    }
    expect(vipHolders(5000)).toHaveLength(1);
  });
});
