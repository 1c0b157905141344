"""Writes grpc.json or gateway.json from the TSV of bench/lib/h2load.sh.
Usage: h2json.py grpc|gateway TSV OUT_JSON STARTED MACHINE SETTINGS [NOTE...]"""
import sys

import benchjson

kind, tsv, out, started, machine, settings = sys.argv[1:7]
extra_notes = [n for n in sys.argv[7:] if n]
best, rounds = {}, []
with open(tsv) as f:
    for line in f:
        cols = line.rstrip("\n").split("\t")
        if cols[0] == "best":
            best[cols[1]] = dict(rps=float(cols[2]), p50=float(cols[3]), p99=float(cols[4]), cpu=float(cols[5]))
        elif cols[0] == "round":
            rounds.append([cols[1], cols[2], f"{float(cols[3]):.0f}", f"{float(cols[4]):.2f}", f"{float(cols[5]):.2f}", f"{float(cols[6]):.1f}"])

LABELS = {
    "official": "official: grpc-dotnet (Grpc.AspNetCore), plain AddGrpc()",
    "defaults": "defaults: official + the project's AddServiceDefaults() (AddGrpcDefaults)",
    "auth": "auth: defaults + AddBearerAuthentication(), [AllowAnonymous] method, no token",
    "token": "token: auth with an [Authorize] method, HS256 bearer token on every call",
    "bare": "bare Kestrel HTTP/2, gRPC framing by hand (ceiling)",
    "python": "Python grpcio",
    "node": "Node @grpc/grpc-js",
    "direct": "direct to the backend (the official gRPC server, Grpc.AspNetCore)",
    "gateway": "through the gateway (YARP, its gRPC port, forwarding to the same backend)",
    "nginx": "through nginx (grpc_pass, upstream keepalive) to the same backend",
}


def best_table(caption, cpu_caption):
    return {
        "caption": caption,
        "columns": ["target", "calls/s", "p50 ms", "p99 ms", cpu_caption],
        "rows": [[LABELS.get(n, n), f"{b['rps']:.0f}", f"{b['p50']:.2f}", f"{b['p99']:.2f}", f"{b['cpu']:.1f}"] for n, b in best.items()],
    }


rounds_table = {"caption": "every round, in the order run (alternating)",
                "columns": ["round", "target", "calls/s", "p50 ms", "p99 ms", "CPU µs/call"], "rows": rounds}
metrics, notes = [], [settings] + extra_notes
ratio_rows = []


def ratio(a, b, name, target=None, higher=None):
    """a/b of calls/s (a and b from best); target e.g. ('>=', 80)."""
    if a not in best or b not in best:
        return
    value = best[a]["rps"] / best[b]["rps"] * 100
    eff = best[b]["cpu"] / best[a]["cpu"] * 100 if best[a]["cpu"] > 0 else 0
    if target:
        op, limit = target
        met = value >= limit if op == ">=" else value > limit
        metrics.append(benchjson.metric(name, value, "%", f"{op} {limit} %", met))
    else:
        metrics.append(benchjson.metric(name, value, "%"))
    ratio_rows.append([name, f"{value:.0f} %", f"{eff:.0f} %", f"{target[0]} {target[1]} %" if target else "",
                       ("met" if met else "NOT met") if target else ""])


if kind == "grpc":
    title = "gRPC: the official server (grpc-dotnet) against the ceiling and two other gRPC servers"
    notes.append("Each server answers grpc.testing.TestService/UnaryCall; a real gRPC client checks it before it is measured "
                 "(the interop suite's large_unary case; for token, a Grpc.Net.Client call refused UNAUTHENTICATED without the token and answered with it).")
    notes.append("official, defaults, auth and token are the same grpc-dotnet server, each adding one step of what a service host sets up: "
                 "official is a plain AddGrpc() on the slim builder; defaults is the full builder with AddServiceDefaults() "
                 "(AddGrpcDefaults: ErrorMappingInterceptor, the guarded method provider, health, reflection; console logs, problem details), "
                 "the log levels of the services' appsettings.json; auth adds AddBearerAuthentication() (JwtBearer, the policies and their middleware), "
                 "the method [AllowAnonymous] as a public read, called without a token; token is that host with the method "
                 "[Authorize(Policy = Policies.Authenticated)] and an HS256 bearer token on every call, as a partner calls.")
    notes.append("Best round of each is kept; server CPU per call (from /proc) depends much less on other load than calls/s.")
    tables = [best_table("best round of each", "server CPU µs/call")]
    ratio("official", "bare", "official / bare Kestrel (ceiling)", (">=", 80))
    ratio("official", "python", "official / Python grpcio", (">", 100))
    ratio("official", "node", "official / Node grpc-js", (">", 100))
    for n in ("defaults", "auth", "token"):
        ratio(n, "bare", f"{n} / bare Kestrel (ceiling)")
    for n in ("defaults", "auth", "token"):
        ratio(n, "official", f"{n} / official")
    for n in ("official", "defaults", "auth", "token", "bare", "python", "node"):
        if n in best:
            metrics.append(benchjson.metric(f"{n} calls/s", best[n]["rps"], "req/s"))
    if "official" in best:
        metrics.append(benchjson.metric("official p50", best["official"]["p50"], "ms"))
        metrics.append(benchjson.metric("official p99", best["official"]["p99"], "ms"))
    for n in ("official", "defaults", "auth", "token", "bare", "python", "node"):
        if n in best:
            metrics.append(benchjson.metric(f"{n} server CPU per call", best[n]["cpu"], "µs"))
    steps = [(a, b) for a, b in (("official", "bare"), ("defaults", "official"), ("auth", "defaults"), ("token", "auth")) if a in best and b in best]
    if steps:
        notes.append("Server CPU per call, step by step (best rounds): " + "; ".join(
            f"{a} {best[a]['cpu'] - best[b]['cpu']:+.1f} µs over {b}" for a, b in steps) + ".")
else:
    title = "Gateway: the same unary calls direct, through the gateway and through nginx"
    notes.append("Backend: the official gRPC server (Grpc.AspNetCore, bench/Grpc.Bench --mode layer) serving grpc.testing.TestService/UnaryCall (the cheapest real call, so the proxy's share is the largest it can be); "
                 "the gateway (gateway/, Release, the deployable's Gateway.dll, YARP) routes /grpc.testing.TestService/* to it from ReverseProxy configuration; "
                 "nginx (Debian nginx-light, one worker per core) forwards with grpc_pass over kept-alive upstream connections.")
    notes.append("CPU per call: direct = backend process; through a proxy = proxy + backend processes. h2load, backend and proxy share the same cores.")
    tables = [best_table("best round of each", "server-side CPU µs/call")]
    ratio("gateway", "direct", "through the gateway / direct", (">=", 40))
    ratio("nginx", "direct", "through nginx / direct")
    ratio("gateway", "nginx", "through the gateway / through nginx", (">", 100))
    for n in best:
        if n not in ("direct", "gateway", "nginx"):
            ratio(n, "direct", f"{n} (gateway variant) / direct")
    for proxy in ("gateway", "nginx"):
        if proxy in best and "direct" in best and best[proxy]["cpu"] > 0:
            own = best[proxy]["cpu"] - best["direct"]["cpu"]
            notes.append(f"{proxy}: its own CPU per forwarded call is about {own:.0f} µs ({own / best['direct']['cpu']:.1f}x the backend's {best['direct']['cpu']:.0f} µs).")
    for n in best:
        metrics.append(benchjson.metric(f"{n} calls/s", best[n]["rps"], "req/s"))
        metrics.append(benchjson.metric(f"{n} p99", best[n]["p99"], "ms"))
    if "gateway" in best and "direct" in best:
        metrics.append(benchjson.metric("gateway CPU per forwarded call", best["gateway"]["cpu"] - best["direct"]["cpu"], "µs"))

tables.append({"caption": "ratios (best rounds)", "columns": ["ratio", "calls/s", "calls per CPU second", "target", ""], "rows": ratio_rows})
tables.append(rounds_table)
benchjson.write(out, {"title": title, "machine": machine, "started": started, "notes": notes, "tables": tables, "metrics": metrics})
