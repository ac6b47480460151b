"""Ledger throughput through laborcoin's real gRPC API, against pgbench in the same run.

Starts identity and laborcoin as processes on the test PostgreSQL (fresh schemas) and
Kafka, opens 10,000 CNY wallets, funds them, then measures:
  (a) batches of 1,000 transfers across the 10,000 accounts, from --batch-streams clients
      each keeping one batch in flight (default 2, so the server works on one while the
      other is on the wire),
  (b) single-transfer RPCs from 32 concurrent clients,
  (c) the same with 80% of transfers touching 10 hot accounts.
Laborcoin runs as deployed: one API process and, with --worker (what `make bench-ledger`
uses), a second process for its background work (outbox relay, log sealer, consumers).
Baseline: pgbench TPC-B (tpcb-like, 32 clients) on the same server just before.

The client (--client, default go) is bench/loadgen, a small Go program built here with
`go build` into ~/.cache/ntb (or $XDG_CACHE_HOME/ntb) before the services start: the bench
encodes every request a case could send (3,000 singles or 15 batches per second of the
case, plus slack) into a file, then runs the load generator on it as a subprocess, which
sends them closed-loop (32 clients, or one per batch stream) and reports one JSON line:
~0.05-0.1 of a core at ~700 single-transfer calls/s where the Python client cost ~0.24.
--client python keeps the grpc.aio client in this process instead, each client coroutine
sending one request at a time.
Requests are built before each clock starts. Each figure comes with the CPU the client
(this process plus, with go, the load generator), the laborcoin server and the whole
machine used (CPU-seconds per second; 2.0 = both cores), since all of it shares this
machine's two cores. Prints each figure and ends with one JSON line.

usage: python bench/ledger_bench.py [--seconds 20] [--batch-streams 2] [--worker]
       [--server-processes N] [--cases batched,single,hot] [--no-baseline]
       [--client go|python]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import grpc
import sqlalchemy as sa

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2, identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.health import wait_serving
from ntbkit.runtime import settle_heap
from ntbkit.storage.engine import create_engine

DATABASE_URL = os.environ.get(
    "NTB_TEST_DATABASE_URL", "postgresql+asyncpg://ntb:ntb@127.0.0.1:55432/ntb_test")
KAFKA = os.environ.get("NTB_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:59092")
ACCOUNTS = 10_000
CLIENTS = 32
BATCH_STREAMS = 2
# below the ephemeral range (32768-60999), where an outgoing connection may hold a port
_PORT_BASE = int(os.environ.get("NTB_TEST_PORT_BASE", "28150"))
IDENTITY_PORT, LABORCOIN_PORT, WORKER_PORT = _PORT_BASE + 1, _PORT_BASE + 2, _PORT_BASE + 3
PROFILE = os.environ.get("NTB_BENCH_PROFILE", "")  # cProfile output file for laborcoin
SECRET = "bench-operator-secret"
LOADGEN_SOURCE = Path(__file__).resolve().parent / "loadgen"
# requests written for the go client per second of a case: a few times what is measured
SINGLES_PER_S, BATCHES_PER_S = 3000, 15


def pgbench_tps(seconds: int) -> float:
    """TPC-B-like TPS of this PostgreSQL, 32 clients, 2 threads."""
    binary = next(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    env = dict(os.environ, PGPASSWORD="ntb")
    common = ["-h", "127.0.0.1", "-p", "55432", "-U", "ntb", "ntb_test"]
    subprocess.run([str(binary), "-i", "-q", "-s", "10", *common], env=env, check=True,
                   capture_output=True)
    done = subprocess.run([str(binary), "-c", str(CLIENTS), "-j", "2", "-T", str(seconds),
                           "-b", "tpcb-like", *common], env=env, check=True,
                          capture_output=True, text=True)
    subprocess.run([str(binary), "-i", "-I", "d", *common], env=env, check=True,
                   capture_output=True)
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    assert match, done.stdout
    return float(match.group(1))


def start_services(run: str, server_processes: int = 1, *, identity: bool = True,
                   role: str = "all") -> list[subprocess.Popen[bytes]]:
    """identity, then laborcoin (`server_processes` of it on one port: SO_REUSEPORT).
    A 'worker' laborcoin (background work only) listens on a port of its own."""
    processes = []
    for module, prefix, port in ([("ntb_identity", "NTB_IDENTITY_", IDENTITY_PORT)] * identity
                                 + [("ntb_laborcoin", "NTB_LABORCOIN_", LABORCOIN_PORT)]
                                 * server_processes):
        if role == "worker" and module == "ntb_laborcoin":
            port = WORKER_PORT
        env = dict(os.environ, **{
            f"{prefix}DATABASE_URL": DATABASE_URL, f"{prefix}DATABASE_SCHEMA": f"bench_{run}_"
            f"{module[4:]}", f"{prefix}EVENT_BUS": "kafka", f"{prefix}KAFKA_BOOTSTRAP": KAFKA,
            f"{prefix}GRPC_PORT": str(port), f"{prefix}IDENTITY_TARGET":
            f"127.0.0.1:{IDENTITY_PORT}", f"{prefix}LOG_LEVEL": "WARNING",
            # one group across runs: a fresh one would replay the whole shared topic history
            f"{prefix}CONSUMER_GROUP_PREFIX": "ledger-bench.",
            f"{prefix}DATABASE_POOL_SIZE_MAX": "20",
            f"{prefix}GRPC_REUSE_PORT": "true",
            "NTB_LABORCOIN_PROCESS_ROLE": role,
            "NTB_IDENTITY_BOOTSTRAP_CLIENT_SECRET": SECRET,
        })
        profile = ["-m", "cProfile", "-o", PROFILE] if PROFILE and module == "ntb_laborcoin" else []
        processes.append(subprocess.Popen([sys.executable, *profile, "-m", module], env=env))
    return processes


def build_loadgen() -> Path:
    """`go build` bench/loadgen into the cache directory (quick when nothing changed)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ntb"
    binary = cache / "ntb-loadgen"
    go = shutil.which("go")
    if go is None:
        sys.exit("ledger_bench: `go` not found; install Go or use --client python")
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=LOADGEN_SOURCE, check=True)
    return binary


async def token() -> str:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{IDENTITY_PORT}") as channel:
        response = await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
            identity_pb2.IssueTokenRequest(grant_type="client_credentials",
                                           client_id="ntb-operator", client_secret=SECRET))
    return str(response.access_token)


def transfer(debit: str, credit: str, units: int, code: int = pb.TRANSFER_CODE_PAYMENT
             ) -> pb.Transfer:
    return pb.Transfer(transfer_id=str(uuid.uuid4()), debit_account_id=debit,
                       credit_account_id=credit, amount=common_pb2.Money(asset="CNY", units=units),
                       code=code)


async def open_and_fund(stub: laborcoin_pb2_grpc.LaborCoinServiceStub, meta: object
                        ) -> list[str]:
    bank = str(uuid.uuid4())
    await stub.CreateAccounts(pb.CreateAccountsRequest(request_id=str(uuid.uuid4()), accounts=[
        pb.Account(account_id=bank, owner_id="bench-bank", asset="CNY",
                   kind=pb.ACCOUNT_KIND_EXTERNAL_SETTLEMENT)]), metadata=meta)
    ids = [str(uuid.uuid4()) for _ in range(ACCOUNTS)]
    wallet = pb.AccountFlags(debits_must_not_exceed_credits=True)
    for start in range(0, ACCOUNTS, 1000):
        for part in range(start, start + 1000, 250):  # stays well inside the server deadline
            await stub.CreateAccounts(pb.CreateAccountsRequest(
                request_id=str(uuid.uuid4()), accounts=[
                    pb.Account(account_id=i, owner_id=f"bench-{i[:8]}", asset="CNY",
                               kind=pb.ACCOUNT_KIND_WALLET, flags=wallet)
                    for i in ids[part:part + 250]]), metadata=meta, timeout=120)
        await stub.CreateTransfers(pb.CreateTransfersRequest(request_id=str(uuid.uuid4()),
            transfers=[transfer(bank, i, 10**9, pb.TRANSFER_CODE_DEPOSIT)
                       for i in ids[start:start + 1000]]), metadata=meta, timeout=120)
    return ids


def _pair(ids: list[str], hot: list[str] | None) -> tuple[str, str]:
    if hot is not None and random.random() < 0.8:
        return random.choice(hot), random.choice(ids)
    debit, credit = random.sample(ids, 2)
    return debit, credit


def _single(ids: list[str], hot: list[str] | None) -> pb.CreateTransfersRequest:
    debit, credit = _pair(ids, hot)
    while debit == credit:
        debit, credit = _pair(ids, hot)
    return pb.CreateTransfersRequest(request_id=str(uuid.uuid4()),
                                     transfers=[transfer(debit, credit, 1)])


def _batch(ids: list[str]) -> pb.CreateTransfersRequest:
    return pb.CreateTransfersRequest(
        request_id=str(uuid.uuid4()), transfers=[transfer(*random.sample(ids, 2), 1)
                                                 for _ in range(1000)],
        mode=pb.TRANSFER_BATCH_MODE_CHAINS)


async def batched(stubs, meta, ids: list[str], seconds: float, streams: int  # type: ignore[no-untyped-def]
                  ) -> dict[str, float]:
    """`streams` clients each send a batch, wait for its answer, send the next."""
    ready = [_batch(ids) for _ in range(streams * 4)]  # built before the clock starts
    latencies: list[float] = []
    count = 0
    deadline = time.perf_counter() + seconds

    async def client(stub) -> None:  # type: ignore[no-untyped-def]
        nonlocal count
        while time.perf_counter() < deadline:
            request = ready.pop() if ready else _batch(ids)
            t0 = time.perf_counter()
            response = await stub.CreateTransfers(request, metadata=meta, timeout=120)
            latencies.append(time.perf_counter() - t0)
            count += sum(r.code == pb.CREATE_TRANSFER_RESULT_CODE_OK for r in response.results)
            if len(ready) < streams:
                ready.append(_batch(ids))  # while the others wait on the server

    started = time.perf_counter()
    await asyncio.gather(*(client(stubs[i % len(stubs)]) for i in range(streams)))
    return _figures(count, time.perf_counter() - started, latencies)


async def singles(stubs, meta, ids: list[str], seconds: float, hot: list[str] | None  # type: ignore[no-untyped-def]
                  ) -> dict[str, float]:
    latencies: list[float] = []
    count = 0
    deadline = time.perf_counter() + seconds

    ready = [_single(ids, hot) for _ in range(CLIENTS * 50)]  # built before the clock starts

    async def client(stub) -> None:  # type: ignore[no-untyped-def]
        nonlocal count
        while time.perf_counter() < deadline:
            message = ready.pop() if ready else _single(ids, hot)
            t0 = time.perf_counter()
            response = await stub.CreateTransfers(message, metadata=meta, timeout=30)
            latencies.append(time.perf_counter() - t0)
            count += response.results[0].code == pb.CREATE_TRANSFER_RESULT_CODE_OK

    started = time.perf_counter()
    await asyncio.gather(*(client(stubs[i % len(stubs)]) for i in range(CLIENTS)))
    return _figures(count, time.perf_counter() - started, latencies)


def write_requests(case: str, ids: list[str], seconds: float, streams: int) -> Path:
    """The load generator's input for `case`, the same requests the Python client sends,
    plenty of them: each message's 4-byte big-endian length, then the message."""
    hot = random.sample(ids, 10) if case == "hot" else None
    if case == "batched":
        requests = [_batch(ids) for _ in range(int(BATCHES_PER_S * seconds) + streams * 4)]
    else:
        requests = [_single(ids, hot)
                    for _ in range(int(SINGLES_PER_S * seconds) + CLIENTS * 50)]
    with tempfile.NamedTemporaryFile("wb", prefix="ntb-loadgen-", suffix=".bin",
                                     delete=False) as file:
        for request in requests:
            encoded = request.SerializeToString()
            file.write(struct.pack(">I", len(encoded)))
            file.write(encoded)
    return Path(file.name)


async def go_load(binary: Path, requests: Path, access_token: str, *, clients: int,
                  conns: int, seconds: float, timeout_s: int) -> dict[str, float]:
    """Run the load generator on `requests`; its CPU shows up in RUSAGE_CHILDREN."""
    process = await asyncio.create_subprocess_exec(
        str(binary), "-target", f"127.0.0.1:{LABORCOIN_PORT}", "-requests", str(requests),
        "-clients", str(clients), "-conns", str(conns), "-seconds", str(seconds),
        "-timeout", f"{timeout_s}s", stdout=asyncio.subprocess.PIPE,
        env=dict(os.environ, NTB_LOADGEN_TOKEN=access_token))  # not on its command line
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"loadgen exited with {process.returncode}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    if report["ran_out"]:
        raise RuntimeError(f"loadgen ran out of requests after {report['calls']} calls: "
                           "write more (SINGLES_PER_S, BATCHES_PER_S)")
    if report["errors"]:
        print(f"  {report['errors']} of {report['calls']} calls failed, the first with "
              f"{report['first_error']}", flush=True)
    nan = float("nan")
    return {"tps": round(report["ok_transfers"] / report["elapsed_s"], 1)
            if report["elapsed_s"] else nan,
            "p50_ms": nan if report["p50_ms"] is None else round(report["p50_ms"], 2),
            "p99_ms": nan if report["p99_ms"] is None else round(report["p99_ms"], 2),
            "errors": report["errors"], "loadgen_cpu_s": round(report["cpu_s"], 2)}


class CpuMeter:
    """CPU seconds per wall second of this client, the laborcoin server and the machine.
    The client is this process and the children it reaps meanwhile (the go load generator)."""

    def __init__(self, server_pids: list[int]) -> None:
        self._server_pids = server_pids

    def _read(self) -> tuple[float, float, float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_s = 0.0
        for pid in self._server_pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            server_s += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        busy_s = (sum(cpu) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")
        client_s = usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
        return time.perf_counter(), client_s, server_s, busy_s

    async def measure(self, work):  # type: ignore[no-untyped-def]
        before = self._read()
        figures = await work
        after = self._read()
        wall = after[0] - before[0]
        figures.update(client_cpu=round((after[1] - before[1]) / wall, 2),
                       server_cpu=round((after[2] - before[2]) / wall, 2),
                       machine_cpu=round((after[3] - before[3]) / wall, 2))
        return figures


def _figures(count: int, elapsed_s: float, latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies) or [float("nan")]
    return {"tps": round(count / elapsed_s, 1),
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2)}


async def drop_schemas(run: str) -> None:
    engine = create_engine(DATABASE_URL, schema="public")
    async with engine.begin() as connection:
        for name in ("identity", "laborcoin"):
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "bench_{run}_{name}" CASCADE'))
    await engine.dispose()


async def ledger(seconds: float, streams: int, server_processes: int, worker: bool,
                 cases: list[str], loadgen: Path | None) -> dict[str, dict[str, float]]:
    """Run `cases`; with `loadgen` (the go client's binary) it sends, else this process."""
    run = uuid.uuid4().hex[:8]
    api_role = "api" if worker else "all"
    processes = start_services(run, role=api_role)
    try:
        for port in (IDENTITY_PORT, LABORCOIN_PORT):
            await wait_serving(f"127.0.0.1:{port}", timeout_s=60)
        # the others join once the first has migrated the schema
        if server_processes > 1:
            processes += start_services(run, server_processes - 1, identity=False,
                                        role=api_role)
        if worker:
            processes += start_services(run, identity=False, role="worker")
            await wait_serving(f"127.0.0.1:{WORKER_PORT}", timeout_s=60)
        if server_processes > 1:
            await asyncio.sleep(10)
        assert all(p.poll() is None for p in processes), "a server process exited"
        access_token = await token()
        meta = (("authorization", f"Bearer {access_token}"),)
        # Several server processes: one connection each at least (the kernel spreads
        # connections, not calls), so several channels with their own subchannels.
        channels = [grpc.aio.insecure_channel(f"127.0.0.1:{LABORCOIN_PORT}", options=[
            ("grpc.use_local_subchannel_pool", 1)])
            for _ in range(1 if server_processes == 1 else 4 * server_processes)]
        try:
            stubs = [laborcoin_pb2_grpc.LaborCoinServiceStub(c) for c in channels]
            print("opening and funding 10,000 accounts ...", flush=True)
            ids = await open_and_fund(stubs[0], meta)
            meter = CpuMeter([p.pid for p in processes[1:]])
            settle_heap()  # no full collection of set-up objects inside a measurement
            work = {"batched": lambda: batched(stubs, meta, ids, seconds, streams),
                    "single": lambda: singles(stubs, meta, ids, seconds, hot=None),
                    "hot": lambda: singles(stubs, meta, ids, seconds,
                                           hot=random.sample(ids, 10))}
            results = {}
            for case in cases:
                if loadgen is None:
                    print(f"  {case} ...", flush=True)
                    results[case] = await meter.measure(work[case]())
                else:
                    path = write_requests(case, ids, seconds, streams)  # before the meter
                    print(f"  {case} ...", flush=True)
                    try:
                        results[case] = await meter.measure(go_load(
                            loadgen, path, access_token,
                            clients=streams if case == "batched" else CLIENTS,
                            conns=len(channels), seconds=seconds,
                            timeout_s=120 if case == "batched" else 30))
                    finally:
                        path.unlink()
                print(f"  {case}: {results[case]}", flush=True)
        finally:
            for channel in channels:
                await channel.close()
        return results
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        await drop_schemas(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch-streams", type=int, default=BATCH_STREAMS,
                        help="clients each keeping one 1,000-transfer batch in flight")
    parser.add_argument("--server-processes", type=int, default=1,
                        help="laborcoin processes sharing the port (replicas on one host)")
    parser.add_argument("--worker", action="store_true",
                        help="run laborcoin's background work (outbox relay, log sealer, "
                        "consumers) in a process of its own, the API processes only serve")
    parser.add_argument("--cases", default="batched,single,hot",
                        help="which of batched,single,hot to run (all for the JSON line)")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip pgbench (while profiling one case)")
    parser.add_argument("--client", choices=("go", "python"), default="go",
                        help="go: bench/loadgen sends pre-encoded requests (little CPU); "
                        "python: grpc.aio in this process")
    args = parser.parse_args()
    cases = args.cases.split(",")
    loadgen = build_loadgen() if args.client == "go" else None
    print(f"load average before: {os.getloadavg()}", flush=True)
    print(f"baseline: pgbench tpcb-like, {CLIENTS} clients, {int(args.seconds)} s ...", flush=True)
    tps = pgbench_tps(int(args.seconds)) if args.baseline else float("nan")
    print(f"  pgbench_tps = {tps}", flush=True)
    results = asyncio.run(ledger(args.seconds, args.batch_streams, args.server_processes,
                                 args.worker, cases, loadgen))
    for name, figures in results.items():
        print(f"{name:8} {figures['tps']:>9} transfers/s  p50 {figures['p50_ms']} ms  "
              f"p99 {figures['p99_ms']} ms  ratio to pgbench {figures['tps'] / tps:.2f}  "
              f"{args.client} client {figures['client_cpu']} CPU")
    if len(results) < 3:
        return
    print(json.dumps({"pgbench_tps": tps, "batched_tps": results["batched"]["tps"],
                      "single_tps": results["single"]["tps"],
                      "single_p99_ms": results["single"]["p99_ms"],
                      "hot_tps": results["hot"]["tps"], "batch_streams": args.batch_streams,
                      "server_processes": args.server_processes, "worker": args.worker,
                      "client": args.client,
                      "load_average": os.getloadavg(), "details": results}))


if __name__ == "__main__":
    main()
