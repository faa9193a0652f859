package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"magpie/app"
	"magpie/app/bridge"
	"magpie/backend/core"
)

func init() {
	register(command{name: "desktop", summary: "open the desktop window (the default)", run: runDesktop})
	register(command{name: "serve", summary: "serve the app in a browser on loopback", run: runServe})
	register(command{name: "version", summary: "print the version", run: func(e *Env, _ []string) error {
		fmt.Fprintln(e.Out, "magpie", versionString())
		return nil
	}})
}

func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

func runDesktop(e *Env, args []string) error {
	fs := flags(e, "desktop", "[desktop] [--data-dir DIR]")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if e.Shells.Bindings {
		// `wails generate module`: only the bound types matter.
		return e.Shells.Desktop(app.NewShell(nil, app.Desktop, nil), e.Shells.Assets)
	}
	if !e.Shells.DesktopBuilt || !hasDisplay() {
		why := "no display (DISPLAY/WAYLAND_DISPLAY unset)"
		if !e.Shells.DesktopBuilt {
			why = "this binary was built without the desktop tags"
		}
		fmt.Fprintf(e.Err, "magpie: %s; serving the app in a browser instead\n", why)
		return runServe(e, nil)
	}
	mainAt := time.Now()
	c, err := e.Core()
	if err != nil {
		// Launched from a menu nobody reads stderr: the window says what is wrong.
		_ = e.Shells.Desktop(app.NewShell(nil, app.Desktop, nil), openErrorPage(e.DataDir, err))
		return err
	}
	shell := app.NewShell(c, app.Desktop, slog.Default())
	go resumeImports(c)
	if f := os.Getenv("MAGPIE_SMOKE_FILE"); f != "" {
		// The desktop smoke test waits for this file: the frontend called a Go binding. The
		// instants (Unix ms) split its cold-start figure: Go's main, the store open and the
		// shell's services started (the window opens next), the first binding call.
		readyAt := time.Now()
		go func() {
			<-shell.FirstCall()
			called := time.Now()
			if os.WriteFile(f+".tmp", fmt.Appendf(nil, "bound\nmain_ms=%d\nready_ms=%d\ncall_ms=%d\n",
				mainAt.UnixMilli(), readyAt.UnixMilli(), called.UnixMilli()), 0o600) == nil {
				_ = os.Rename(f+".tmp", f) // whole, never half-written, when the test sees it
			}
		}()
	}
	return e.Shells.Desktop(shell, e.Shells.Assets)
}

func runServe(e *Env, args []string) error {
	fs := flags(e, "serve", "serve [--addr 127.0.0.1:8765] [--url-file FILE] [--data-dir DIR] [--debug-pprof ADDR]")
	addr := fs.String("addr", "127.0.0.1:8765", "loopback address to listen on (port 0 = any free port)")
	urlFile := fs.String("url-file", "", "also write the URL (with its token) to this file")
	pprofAddr := fs.String("debug-pprof", "", "serve Go's profiler on this loopback address (debugging)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *pprofAddr != "" {
		if err := startPprof(*pprofAddr); err != nil {
			return err
		}
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("--addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("--addr must be a loopback address (127.0.0.1 or localhost), not %q", host)
	}
	c, err := e.Core()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil && *addr == "127.0.0.1:8765" {
		ln, err = net.Listen("tcp", "127.0.0.1:0") // default port busy: take any
	}
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	shell := app.NewShell(c, app.Browser, slog.Default())
	go resumeImports(c)
	token := bridge.NewToken()
	srv := bridge.New(bridge.Options{Bindings: shell.Bindings(), Assets: e.Shells.Assets, Token: token, DataDir: c.DataDir})
	shell.SetEmitter(e.Ctx(), srv.Emit)
	url := fmt.Sprintf("http://%s/?token=%s", ln.Addr().String(), token)
	fmt.Fprintf(e.Out, "Magpie is running at %s\n", url)
	fmt.Fprintf(e.Out, "Data: %s (press Ctrl+C to stop)\n", c.DataDir)
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(url+"\n"), 0o600); err != nil {
			return err
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-e.Ctx().Done():
	}
	shell.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = hs.Shutdown(ctx)
	return nil
}

// resumeImports continues the imports a crash or kill left unfinished.
func resumeImports(c *core.Core) {
	if ids, err := c.Imports.ResumeInterrupted(context.Background()); err != nil {
		slog.Warn("resume imports", "err", err)
	} else if len(ids) > 0 {
		slog.Info("resumed interrupted imports", "ids", ids)
	}
}
