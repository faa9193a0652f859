//go:build desktop && !bindings

package main

const desktopBuilt = true

const bindingsBuild = false
