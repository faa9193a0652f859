//go:build bindings

package main

// bindingsBuild is the `wails generate module` build: main must reach wails.Run with the
// bound structs so Wails can write frontend/wailsjs, and nothing else.
const desktopBuilt = false

const bindingsBuild = true
