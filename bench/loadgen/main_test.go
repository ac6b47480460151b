package main

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// result encodes a CreateTransferResult; code < 0 leaves the code out.
func result(index int, code int, extra ...byte) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(index))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, "0b7c4a52-6f0e-4d8a-9a39-3f1f0b5a4d11")
	if code >= 0 {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(code))
	}
	return append(b, extra...)
}

func response(results ...[]byte) []byte {
	var b []byte
	for _, r := range results {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, r)
	}
	return b
}

func TestCountOK(t *testing.T) {
	// a nested Transfer (field 4) holding a varint 3 of its own, and unknown fields
	var transfer []byte
	transfer = protowire.AppendTag(transfer, 3, protowire.VarintType)
	transfer = protowire.AppendVarint(transfer, codeOK)
	var extra []byte
	extra = protowire.AppendTag(extra, 4, protowire.BytesType)
	extra = protowire.AppendBytes(extra, transfer)
	extra = protowire.AppendTag(extra, 99, protowire.Fixed64Type)
	extra = protowire.AppendFixed64(extra, 7)
	extra = protowire.AppendTag(extra, 98, protowire.Fixed32Type)
	extra = protowire.AppendFixed32(extra, 7)
	var unknownTop []byte
	unknownTop = protowire.AppendTag(unknownTop, 7, protowire.VarintType)
	unknownTop = protowire.AppendVarint(unknownTop, 1)
	unknownTop = protowire.AppendTag(unknownTop, 8, protowire.StartGroupType)
	unknownTop = protowire.AppendTag(unknownTop, 1, protowire.VarintType)
	unknownTop = protowire.AppendVarint(unknownTop, 1)
	unknownTop = protowire.AppendTag(unknownTop, 8, protowire.EndGroupType)

	cases := []struct {
		name string
		in   []byte
		want int
	}{
		{"empty", nil, 0},
		{"one ok", response(result(0, codeOK)), 1},
		{"ok, exists, linked failed, omitted", response(result(0, codeOK), result(1, 2),
			result(2, 3), result(3, -1)), 1},
		{"unknown fields skipped", append(unknownTop, response(result(0, 2, extra...),
			result(1, codeOK, extra...))...), 1},
		{"last code wins", response(append(result(0, 2), result(0, codeOK)...)), 1},
	}
	for _, c := range cases {
		got, err := countOK(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: countOK = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	whole := response(result(0, codeOK))
	if _, err := countOK(whole[:len(whole)-1]); err == nil {
		t.Error("truncated response: no error")
	}
}

func TestSplitRequests(t *testing.T) {
	var file bytes.Buffer
	for _, m := range []string{"ab", "", "cde"} {
		file.Write(binary.BigEndian.AppendUint32(nil, uint32(len(m))))
		file.WriteString(m)
	}
	got, err := splitRequests(file.Bytes())
	if err != nil || len(got) != 3 || string(got[0]) != "ab" || len(got[1]) != 0 ||
		string(got[2]) != "cde" {
		t.Fatalf("readRequests = %q, %v", got, err)
	}
	for _, cut := range []int{1, 4, 5} {
		if _, err := splitRequests(file.Bytes()[:file.Len()-cut]); err == nil {
			t.Errorf("cut by %d: no error", cut)
		}
	}
}

func TestPercentile(t *testing.T) {
	ordered := make([]time.Duration, 200)
	for i := range ordered {
		ordered[i] = time.Duration(i) * time.Millisecond
	}
	if p50, p99 := *percentile(ordered, 0.5), *percentile(ordered, 0.99); p50 != 100 || p99 != 198 {
		t.Errorf("p50, p99 = %v, %v", p50, p99)
	}
	if percentile(nil, 0.5) != nil {
		t.Error("no latencies: want nil")
	}
}

// TestLoadgen runs the whole loop against an in-process server that answers
// each request with one OK result, refuses the request "bad", and checks the token.
func TestLoadgen(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer(grpc.ForceServerCodecV2(rawCodec{}),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			md, _ := metadata.FromIncomingContext(stream.Context())
			if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer t0k" {
				return status.Error(codes.Unauthenticated, "no token")
			}
			var request []byte
			if err := stream.RecvMsg(&request); err != nil {
				return err
			}
			if string(request) == "bad" {
				return status.Error(codes.InvalidArgument, "bad request")
			}
			answer := response(result(0, codeOK))
			return stream.SendMsg(&answer)
		}))
	go func() { _ = server.Serve(listener) }()
	defer server.Stop()

	var file bytes.Buffer
	for i := range 1000 {
		m := "ok"
		if i == 10 {
			m = "bad"
		}
		file.Write(binary.BigEndian.AppendUint32(nil, uint32(len(m))))
		file.WriteString(m)
	}
	path := filepath.Join(t.TempDir(), "requests")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := loadgen(config{target: listener.Addr().String(),
		method: "/ntb.laborcoin.v1.LaborCoinService/CreateTransfers", requests: path,
		token: "t0k", clients: 4, conns: 2, seconds: 30, timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !r.RanOut || r.Calls != 1000 || r.OKTransfers != 999 || r.Errors != 1 ||
		r.FirstError != "InvalidArgument: bad request" || r.P50Ms == nil || r.CPUS <= 0 {
		t.Errorf("report = %+v", r)
	}
}
