//go:build !desktop && !bindings

package main

// desktopBuilt is true only in binaries built with the Wails tags (desktop,production):
// without them wails.Run cannot open a window, so magpie falls back to browser mode.
const desktopBuilt = false

const bindingsBuild = false
