package cli_test

import (
	"bytes"
	"os/exec"
	"testing"
	"time"
)

// runBounded runs cmd, which must be unstarted, and returns its combined
// output; a command still running after timeout is killed and fails the
// test, so that a server that should have refused to start cannot hang it.
func runBounded(t *testing.T, cmd *exec.Cmd, timeout time.Duration) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v still running after %v:\n%s", cmd.Args, timeout, out.String())
		return "", nil
	}
}
