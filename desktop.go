package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"magpie/app"
)

// appIcon is the window's icon (frontend/public/favicon.svg drawn at 256 px).
//
//go:embed build/appicon.png
var appIcon []byte

// runDesktop opens the Wails window over the shell's bindings.
func runDesktop(shell *app.Shell, assets fs.FS) error {
	return wails.Run(&options.App{
		Title:            "Magpie",
		Width:            1360,
		Height:           860,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 248, G: 249, B: 250, A: 1},
		// Never is what Wails picks when Linux options are nil (wails#2977); the smoke test
		// under Xvfb runs with it.
		Linux: &linux.Options{Icon: appIcon, ProgramName: "magpie", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		OnStartup: func(ctx context.Context) {
			shell.SetDialogs(wailsDialogs{ctx})
			shell.SetEmitter(ctx, func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
		},
		OnDomReady: func(ctx context.Context) {
			if r := os.Getenv("MAGPIE_SMOKE_ROUTE"); r != "" { // the desktop smoke test opens a screen
				b, _ := json.Marshal(r)
				runtime.WindowExecJS(ctx, "location.hash = "+string(b))
			}
		},
		OnShutdown:     func(context.Context) { shell.Shutdown() },
		Bind:           shell.Bindings(),
		ErrorFormatter: app.WailsErrorFormatter,
	})
}

type wailsDialogs struct{ ctx context.Context }

func filters(patterns []string) []runtime.FileFilter {
	if len(patterns) == 0 {
		return nil
	}
	var f []runtime.FileFilter
	for _, p := range patterns {
		f = append(f, runtime.FileFilter{DisplayName: p, Pattern: p})
	}
	return f
}

func (d wailsDialogs) OpenFile(title string, patterns []string) (string, error) {
	return runtime.OpenFileDialog(d.ctx, runtime.OpenDialogOptions{Title: title, Filters: filters(patterns)})
}

func (d wailsDialogs) SaveFile(title, name string, patterns []string) (string, error) {
	return runtime.SaveFileDialog(d.ctx, runtime.SaveDialogOptions{Title: title, DefaultFilename: name, Filters: filters(patterns)})
}

func (d wailsDialogs) OpenFolder(path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	return exec.Command("xdg-open", path).Start()
}
