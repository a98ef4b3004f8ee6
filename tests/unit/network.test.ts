import { cidrContains, cidrsOverlap, formatCidr, intToIp, ipToInt, isIpv4, isNetworkOrBroadcast, nthAddress, parseCidr, slash24Of } from "../../config/network";

test("IPv4 parsing", () => {
  expect(isIpv4("10.0.0.1")).toBe(true);
  expect(isIpv4("10.0.0.256")).toBe(false);
  expect(isIpv4("10.0.0")).toBe(false);
  expect(isIpv4("010.0.0.1")).toBe(false);
  expect(intToIp(ipToInt("192.168.109.200"))).toBe("192.168.109.200");
});

test("CIDR parsing refuses host bits and bad prefixes", () => {
  expect(parseCidr("10.244.0.0/16")).toEqual({ base: ipToInt("10.244.0.0"), prefix: 16 });
  expect(parseCidr("10.244.0.1/16")).toBeUndefined();
  expect(parseCidr("10.244.0.0/33")).toBeUndefined();
  expect(parseCidr("10.244.0.0")).toBeUndefined();
});

test("containment, overlap and helpers", () => {
  const net = parseCidr("172.26.133.0/24")!;
  expect(cidrContains(net, "172.26.133.160")).toBe(true);
  expect(cidrContains(net, "172.26.134.1")).toBe(false);
  expect(cidrsOverlap(parseCidr("10.96.0.0/12")!, parseCidr("10.100.0.0/16")!)).toBe(true);
  expect(cidrsOverlap(parseCidr("10.96.0.0/12")!, parseCidr("10.244.0.0/16")!)).toBe(false);
  expect(formatCidr(slash24Of("10.77.0.11"))).toBe("10.77.0.0/24");
  expect(nthAddress(parseCidr("10.96.0.0/12")!, 10)).toBe("10.96.0.10");
  expect(isNetworkOrBroadcast(net, "172.26.133.255")).toBe(true);
  expect(isNetworkOrBroadcast(net, "172.26.133.1")).toBe(false);
});
