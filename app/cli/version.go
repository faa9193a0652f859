package cli

import "magpie/backend/core"

func versionString() string { return core.Version }
