// Command loadgen is the ledger bench's closed-loop gRPC load generator
// (bench/ledger_bench.py --client go). It sends pre-encoded protobuf requests
// from a file, so it needs no generated code and costs little CPU.
//
// The requests file holds messages, each a 4-byte big-endian length followed
// by that many bytes. Each call carries "authorization: Bearer $NTB_LOADGEN_TOKEN"
// when that is set. -clients goroutines each send the next unused request,
// wait for its answer, and repeat until -seconds have passed. At the end one
// JSON line goes to stdout:
//
//	{"ok_transfers":..., "calls":..., "errors":..., "first_error":"...",
//	 "elapsed_s":..., "p50_ms":..., "p99_ms":..., "cpu_s":..., "ran_out":false}
//
// ok_transfers counts CreateTransferResult entries with code OK in the
// responses; latencies are those of the calls that succeeded; elapsed_s runs
// from the first send to the last answer; cpu_s is this process's user+sys
// CPU (getrusage). ran_out is true when the requests ran out before the time
// was up (the run stops early then).
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// From proto/ntb/laborcoin/v1/laborcoin.proto.
const (
	fieldResults    = 1 // CreateTransfersResponse.results (repeated CreateTransferResult)
	fieldResultCode = 3 // CreateTransferResult.code (CreateTransferResultCode)
	codeOK          = 1 // CREATE_TRANSFER_RESULT_CODE_OK
)

// rawCodec passes already-encoded messages through: *[]byte in and out.
type rawCodec struct{}

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = data.Materialize()
	return nil
}

// Name is "proto": the content-type stays application/grpc+proto.
func (rawCodec) Name() string { return "proto" }

// splitRequests splits a requests file's contents into its length-prefixed messages.
func splitRequests(data []byte) ([][]byte, error) {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 4 {
			return nil, fmt.Errorf("request %d: truncated length", len(out))
		}
		size := binary.BigEndian.Uint32(data)
		if uint64(len(data)-4) < uint64(size) {
			return nil, fmt.Errorf("request %d: %d bytes, %d left", len(out), size, len(data)-4)
		}
		out = append(out, data[4:4+size:4+size])
		data = data[4+size:]
	}
	return out, nil
}

// skipField skips the value of a field whose tag has been consumed.
func skipField(b []byte, num protowire.Number, typ protowire.Type) ([]byte, error) {
	n := protowire.ConsumeFieldValue(num, typ, b)
	if n < 0 {
		return nil, protowire.ParseError(n)
	}
	return b[n:], nil
}

// countOK counts the results with code OK in an encoded CreateTransfersResponse.
func countOK(response []byte) (int, error) {
	ok := 0
	for b := response; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		if num != fieldResults || typ != protowire.BytesType {
			var err error
			if b, err = skipField(b, num, typ); err != nil {
				return 0, err
			}
			continue
		}
		result, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		code, err := resultCode(result)
		if err != nil {
			return 0, err
		}
		if code == codeOK {
			ok++
		}
	}
	return ok, nil
}

// resultCode is the code of an encoded CreateTransferResult (0 when omitted;
// the last one wins, as in any proto parser).
func resultCode(result []byte) (uint64, error) {
	code := uint64(0)
	for b := result; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, protowire.ParseError(n)
		}
		b = b[n:]
		if num == fieldResultCode && typ == protowire.VarintType {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, protowire.ParseError(n)
			}
			code, b = v, b[n:]
			continue
		}
		var err error
		if b, err = skipField(b, num, typ); err != nil {
			return 0, err
		}
	}
	return code, nil
}

// percentile in milliseconds, as ledger_bench.py's _figures takes it: ordered
// ascending, ordered[min(n-1, int(n*q))]; nil when there is none.
func percentile(ordered []time.Duration, q float64) *float64 {
	if len(ordered) == 0 {
		return nil
	}
	i := min(len(ordered)-1, int(float64(len(ordered))*q))
	ms := float64(ordered[i]) / float64(time.Millisecond)
	return &ms
}

// cpuSeconds is this process's user+sys CPU so far.
func cpuSeconds() (float64, error) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, err
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds(), nil
}

type report struct {
	OKTransfers int      `json:"ok_transfers"`
	Calls       int      `json:"calls"`
	Errors      int      `json:"errors"`
	FirstError  string   `json:"first_error"`
	ElapsedS    float64  `json:"elapsed_s"`
	P50Ms       *float64 `json:"p50_ms"` // null without a successful call
	P99Ms       *float64 `json:"p99_ms"`
	CPUS        float64  `json:"cpu_s"`
	RanOut      bool     `json:"ran_out"`
}

// client is one closed-loop sender's tally.
type client struct {
	latencies []time.Duration
	ok        int
	errors    int
	firstErr  error
	firstAt   time.Time
	lastDone  time.Time
}

func run(ctx context.Context, conn *grpc.ClientConn, method string, requests [][]byte,
	next *atomic.Int64, deadline time.Time, timeout time.Duration, ranOut *atomic.Bool) *client {
	c := &client{}
	for time.Now().Before(deadline) {
		i := next.Add(1) - 1
		if i >= int64(len(requests)) {
			ranOut.Store(true)
			break
		}
		var response []byte
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		t0 := time.Now()
		err := conn.Invoke(callCtx, method, &requests[i], &response)
		c.lastDone = time.Now()
		cancel()
		if err == nil {
			var ok int
			if ok, err = countOK(response); err != nil {
				err = fmt.Errorf("parsing the response: %w", err)
			}
			c.ok += ok
		}
		if err != nil {
			c.errors++
			if c.firstErr == nil {
				c.firstErr, c.firstAt = err, c.lastDone
			}
			continue
		}
		c.latencies = append(c.latencies, c.lastDone.Sub(t0))
	}
	return c
}

// connect dials and waits until the connection is ready (before the clock starts).
func connect(target string) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{})))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn.Connect()
	for state := conn.GetState(); state != connectivity.Ready; state = conn.GetState() {
		if !conn.WaitForStateChange(ctx, state) {
			conn.Close()
			return nil, fmt.Errorf("%s not ready after 30 s (state %s)", target, state)
		}
	}
	return conn, nil
}

type config struct {
	target, method, requests, token string
	clients, conns                  int
	seconds                         float64
	timeout                         time.Duration
	procs                           int
}

func main() {
	var cfg config
	flag.StringVar(&cfg.target, "target", "127.0.0.1:28152", "laborcoin gRPC host:port")
	flag.StringVar(&cfg.method, "method", "/ntb.laborcoin.v1.LaborCoinService/CreateTransfers",
		"full gRPC method name")
	flag.StringVar(&cfg.requests, "requests", "", "file of length-prefixed encoded requests")
	flag.IntVar(&cfg.clients, "clients", 32, "concurrent closed-loop clients")
	flag.Float64Var(&cfg.seconds, "seconds", 20, "how long to send")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "deadline of each call")
	flag.IntVar(&cfg.conns, "conns", 1, "gRPC connections (clients spread over them)")
	// One P is plenty for a few thousand calls a second, and cheaper on a shared
	// machine: with two, the scheduler's threads wake each other for every answer.
	flag.IntVar(&cfg.procs, "procs", 1, "GOMAXPROCS (0: Go's default)")
	flag.Parse()
	// From the environment, not a flag: a command line is readable by every local user.
	cfg.token = os.Getenv("NTB_LOADGEN_TOKEN")
	runtime.GOMAXPROCS(cfg.procs)
	r, err := loadgen(cfg)
	if err == nil {
		var line []byte
		if line, err = json.Marshal(r); err == nil {
			fmt.Println(string(line))
			return
		}
	}
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

func loadgen(cfg config) (*report, error) {
	if cfg.requests == "" || cfg.clients < 1 || cfg.conns < 1 || cfg.seconds <= 0 {
		return nil, errors.New("need -requests FILE, -clients >= 1, -conns >= 1, -seconds > 0")
	}
	data, err := os.ReadFile(cfg.requests)
	if err != nil {
		return nil, err
	}
	requests, err := splitRequests(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.requests, err)
	}
	connections := make([]*grpc.ClientConn, cfg.conns)
	for i := range connections {
		if connections[i], err = connect(cfg.target); err != nil {
			return nil, err
		}
		defer connections[i].Close()
	}
	ctx := context.Background()
	if cfg.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+cfg.token)
	}

	var next atomic.Int64
	var ranOut atomic.Bool
	tallies := make([]*client, cfg.clients)
	var wg sync.WaitGroup
	started := time.Now()
	deadline := started.Add(time.Duration(cfg.seconds * float64(time.Second)))
	for i := range tallies {
		wg.Go(func() {
			tallies[i] = run(ctx, connections[i%cfg.conns], cfg.method, requests, &next,
				deadline, cfg.timeout, &ranOut)
		})
	}
	wg.Wait()

	r := &report{RanOut: ranOut.Load()}
	var latencies []time.Duration
	var firstErr *client
	last := started
	for _, c := range tallies {
		latencies = append(latencies, c.latencies...)
		r.OKTransfers += c.ok
		r.Errors += c.errors
		if c.firstErr != nil && (firstErr == nil || c.firstAt.Before(firstErr.firstAt)) {
			firstErr = c
		}
		if c.lastDone.After(last) {
			last = c.lastDone
		}
	}
	if firstErr != nil {
		if s, ok := status.FromError(firstErr.firstErr); ok {
			r.FirstError = fmt.Sprintf("%s: %s", s.Code(), s.Message())
		} else {
			r.FirstError = firstErr.firstErr.Error()
		}
	}
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	r.Calls = len(latencies) + r.Errors
	r.ElapsedS = last.Sub(started).Seconds()
	r.P50Ms = percentile(latencies, 0.5)
	r.P99Ms = percentile(latencies, 0.99)
	if r.CPUS, err = cpuSeconds(); err != nil {
		return nil, err
	}
	return r, nil
}
