// Command magpie is the whole app in one binary: the desktop window, the same UI in a
// browser (serve), and the admin CLI. See docs/ARCHITECTURE.md.
package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"

	"magpie/app/cli"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintln(os.Stderr, "magpie:", err)
		os.Exit(1)
	}
	os.Exit(cli.Main(os.Args[1:], cli.Shells{Assets: dist, Desktop: runDesktop, DesktopBuilt: desktopBuilt || bindingsBuild, Bindings: bindingsBuild}))
}
