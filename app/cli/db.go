package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"magpie/backend/core"
	"magpie/backend/db"
)

func init() {
	register(command{name: "db", summary: "store layout: info (page size, free pages), compact (pack, change page size)", run: subcommands(
		"usage: magpie db info [--json]\n       magpie db compact [--page-size N] [--json]",
		map[string]func(*Env, []string) error{"info": runDBInfo, "compact": runDBCompact})})
}

func (e *Env) storePath() string {
	dir := e.DataDir
	if dir == "" {
		dir = core.DefaultDataDir()
	}
	return filepath.Join(dir, db.FileName)
}

// StoreInfo is what `magpie db info` prints.
type StoreInfo struct {
	Path      string `json:"path"`
	PageSize  int    `json:"pageSize"`
	Pages     int64  `json:"pages"`
	FreePages int64  `json:"freePages"`
	FileBytes int64  `json:"fileBytes"`
	WALBytes  int64  `json:"walBytes"`
}

func runDBInfo(e *Env, args []string) error {
	fs := flags(e, "db info", "db info [--json]")
	asJSON := fs.Bool("json", false, "print as JSON")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	path := e.storePath()
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no store at %s", path)
	}
	d, err := db.Open(path, db.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer d.Close()
	info := StoreInfo{Path: path}
	ctx := e.Ctx()
	for _, q := range []struct {
		pragma string
		dst    any
	}{{"page_size", &info.PageSize}, {"page_count", &info.Pages}, {"freelist_count", &info.FreePages}} {
		if err := d.R.QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(q.dst); err != nil {
			return err
		}
	}
	info.FileBytes, info.WALBytes = sizeOf(path), sizeOf(path+"-wal")
	if *asJSON {
		return e.JSON(info)
	}
	fmt.Fprintf(e.Out, "store       %s\npage size   %d bytes\npages       %d (%d free, %.1f%%)\nfile        %s\nWAL         %s\n",
		info.Path, info.PageSize, info.Pages, info.FreePages, 100*float64(info.FreePages)/float64(max(info.Pages, 1)),
		mib(info.FileBytes), mib(info.WALBytes))
	return nil
}

func runDBCompact(e *Env, args []string) error {
	fs := flags(e, "db compact", "db compact [--page-size N] [--json]\n\nPacks the store (VACUUM INTO a copy, checked, then swapped in); needs the store to itself:\nclose the Magpie window, trackers and other commands first.")
	ps := fs.Int("page-size", 0, "page size of the packed store in bytes (512…65536, a power of two; default: keep the store's)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *ps != 0 && !db.ValidPageSize(*ps) {
		return usagef("--page-size %d: want a power of two from 512 to 65536", *ps)
	}
	path := e.storePath()
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no store at %s", path)
	}
	start := time.Now()
	var last time.Time
	res, err := db.Compact(e.Ctx(), path, db.CompactOptions{PageSize: *ps, Progress: func(done, total int64) {
		if *asJSON || time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(e.Err, "\rcopying %s / %s", mib(done), mib(total))
	}})
	if err != nil {
		return err
	}
	// Open it once: back to WAL mode, migrations checked, before anyone else does.
	d, err := db.Open(path, db.Options{})
	if err != nil {
		return fmt.Errorf("the packed store does not open: %w", err)
	}
	d.Close()
	if *asJSON {
		return e.JSON(res)
	}
	fmt.Fprintf(e.Err, "\rpacked %s in %.1fs: %s → %s, page size %d → %d, %d tables, %d rows checked\n",
		path, time.Since(start).Seconds(), mib(res.BytesBefore), mib(res.BytesAfter),
		res.PageSizeBefore, res.PageSizeAfter, res.Tables, res.Rows)
	return nil
}

func sizeOf(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
