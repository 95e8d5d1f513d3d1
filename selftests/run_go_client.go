// SPDX-License-Identifier: GPL-2.0-only

// An RFCOMM client written as Go programs write one without cgo: the
// socket comes from syscall.Socket, a raw system call the C library never
// sees. It speaks run_client.c's protocol to pybluez_echo.py:
//
//	run_go_client probe
//	run_go_client connect LOCAL REMOTE CHANNEL BYTES
//
// printing "proto=P" or "errno=NAME", then "sent N bytes" and "echo intact".
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

const btprotoRFCOMM = 3

// struct sockaddr_rc: family, bdaddr (little-endian), channel.
type sockaddrRC struct {
	family  uint16
	bdaddr  [6]byte
	channel uint8
	_       uint8
}

func addr(s string, channel int) (sockaddrRC, error) {
	sa := sockaddrRC{family: syscall.AF_BLUETOOTH, channel: uint8(channel)}
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return sa, fmt.Errorf("bad address %q", s)
	}
	for i, p := range parts {
		b, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return sa, err
		}
		sa.bdaddr[5-i] = byte(b)
	}
	return sa, nil
}

func call(nr uintptr, fd int, sa *sockaddrRC) error {
	_, _, e := syscall.Syscall(nr, uintptr(fd), uintptr(unsafe.Pointer(sa)),
		unsafe.Sizeof(*sa))
	if e != 0 {
		return e
	}
	return nil
}

func errname(err error) string {
	switch err {
	case syscall.ENOSYS:
		return "ENOSYS"
	case syscall.EPROTONOSUPPORT:
		return "EPROTONOSUPPORT"
	case syscall.EAFNOSUPPORT:
		return "EAFNOSUPPORT"
	}
	return err.Error()
}

func main() {
	args := os.Args[1:]
	fd, err := syscall.Socket(syscall.AF_BLUETOOTH, syscall.SOCK_STREAM,
		btprotoRFCOMM)
	if err != nil {
		fmt.Printf("errno=%s\n", errname(err))
		os.Exit(map[bool]int{true: 0, false: 1}[len(args) == 1])
	}
	proto, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET,
		syscall.SO_PROTOCOL)
	if err != nil {
		fmt.Printf("getsockopt errno=%s\n", errname(err))
		os.Exit(1)
	}
	fmt.Printf("proto=%d\n", proto)
	if len(args) == 1 && args[0] == "probe" {
		return
	}
	if len(args) != 5 || args[0] != "connect" {
		fmt.Fprintln(os.Stderr, "usage: see run_go_client.go")
		os.Exit(2)
	}
	channel, _ := strconv.Atoi(args[3])
	total, _ := strconv.Atoi(args[4])
	local, err := addr(args[1], 0)
	if err == nil {
		err = call(syscall.SYS_BIND, fd, &local)
	}
	if err != nil {
		fmt.Printf("bind: %v\n", err)
		os.Exit(1)
	}
	remote, err := addr(args[2], channel)
	if err == nil {
		err = call(syscall.SYS_CONNECT, fd, &remote)
	}
	if err != nil {
		fmt.Printf("connect: %v\n", err)
		os.Exit(1)
	}
	for done := 0; done < total; {
		n := total - done
		if n > 1000 {
			n = 1000
		}
		out := make([]byte, n)
		for i := range out {
			out[i] = byte((done+i)*31 + 7)
		}
		if _, err := syscall.Write(fd, out); err != nil {
			fmt.Printf("write: %v\n", err)
			os.Exit(1)
		}
		in := make([]byte, n)
		for got := 0; got < n; {
			r, err := syscall.Read(fd, in[got:])
			if r <= 0 {
				fmt.Printf("read after %d bytes: %v\n", done+got, err)
				os.Exit(1)
			}
			got += r
		}
		if !bytes.Equal(in, out) {
			fmt.Printf("echo corrupted after %d bytes\n", done)
			os.Exit(1)
		}
		done += n
	}
	fmt.Printf("sent %d bytes\necho intact\n", total)
}
