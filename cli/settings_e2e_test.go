package cli_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSettingsFromEnvFilesAndMainGo builds a new app whose main.go sets
// server.Options (a listen address and a middleware) and starts it with
// `framework start`: first on main.go's address with its middleware, then,
// with .env files, where .env.local says, then where the real environment
// says.
func TestSettingsFromEnvFilesAndMainGo(t *testing.T) {
	dir := newApp(t)
	fromMain, fromEnv, fromLocal, fromReal := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	mainGo := `package main

import (
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework/server"
)

func main() {
	server.Main(Routes(), Register, server.Options{
		Addr: "` + fromMain + `",
		Middleware: []echo.MiddlewareFunc{func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				c.Response().Header().Set("X-From-Main", "yes")
				return next(c)
			}
		}},
	})
}
`
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", mainGo)
	if out, err := framework(t, dir, "build"); err != nil {
		t.Fatalf("framework build: %v\n%s", err, out)
	}
	stop := func(srv *exec.Cmd) {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}

	// main.go alone: its address, its middleware.
	srv := background(t, dir, nil, "start")
	poll(t, "the server on main.go's address", "http://"+fromMain+"/", 30*time.Second, func(p page) bool { return p.status == 200 })
	res, err := client.Get("http://" + fromMain + "/blog")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("X-From-Main") != "yes" {
		t.Errorf("main.go's middleware did not run: headers %v", res.Header)
	}
	stop(srv)

	// .env files beat main.go; .env.local beats .env; the other mode's
	// file is not read.
	write(".env", "FRAMEWORK_ADDR="+fromEnv+"\n")
	write(".env.local", "# local override\nFRAMEWORK_ADDR="+fromLocal+"\n")
	write(".env.development", "FRAMEWORK_ADDR=127.0.0.1:1\n")
	srv = background(t, dir, nil, "start")
	p := poll(t, "the server on .env.local's address", "http://"+fromLocal+"/", 30*time.Second, func(p page) bool { return p.status == 200 })
	if !strings.Contains(p.body, "Welcome") {
		t.Fatalf("/: %.200q", p.body)
	}
	for _, addr := range []string{fromMain, fromEnv} {
		if _, err := http.Get("http://" + addr + "/"); err == nil {
			t.Errorf("something answers on %s, an address a higher setting overrode", addr)
		}
	}
	stop(srv)

	// The real environment beats the files.
	background(t, dir, []string{"FRAMEWORK_ADDR=" + fromReal}, "start")
	poll(t, "the server on the real environment's address", "http://"+fromReal+"/", 30*time.Second, func(p page) bool { return p.status == 200 })
}
