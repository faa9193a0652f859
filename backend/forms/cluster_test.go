package forms_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"magpie/backend/assets"
	"magpie/backend/contacts"
	"magpie/backend/core"
	"magpie/backend/forms"
	"magpie/backend/rqlite"
	"magpie/backend/rqlite/rqlitetest"
)

// TestClusterReaders: a desktop saves a form, uploads a 3-chunk file and has a contact; team
// sync pushes them to the cluster (the rqlite stand-in); a tracker in team mode reads them
// back from the cluster's sync state alone.
func TestClusterReaders(t *testing.T) {
	ctx := context.Background()
	rq := rqlitetest.New(t, rqlitetest.Options{})
	c, err := core.Open(ctx, t.TempDir(), core.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.Forms.Save(ctx, forms.Form{Name: "Team form", Published: true, MinSeconds: 3, Fields: []forms.Field{
		{Alias: "email", Label: "Email", Type: forms.Email, MapTo: "contact.email", Required: true, Prefill: true}},
		Actions: []forms.Action{{Type: forms.ActTags, Add: []string{"team"}}}})
	if err != nil {
		t.Fatal(err)
	}
	data := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0123456789"), 60000)...)
	a, err := c.Assets.Upload(ctx, assets.Input{Title: "Team paper", Published: true}, "team.pdf", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := c.Contacts.Create(ctx, contacts.Input{Values: map[string]string{"email": "ann@example.com", "firstname": "Ann"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := rqlite.New(rqlite.Config{URLs: rq.URLs(), Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Sync.SetClient(cl)
	syncOnce(t, c)
	got, err := forms.ClusterReader{C: cl}.Form(ctx, f.ID)
	if err != nil || got == nil {
		t.Fatalf("form from the cluster: %v %v", got, err)
	}
	if got.Name != "Team form" || got.MinSeconds != 3 || len(got.Fields) != 1 || !got.Fields[0].Prefill || got.Actions[0].Add[0] != "team" {
		t.Fatalf("form from the cluster: %+v", got)
	}
	vals, err := forms.ClusterReader{C: cl}.Contact(ctx, ct.ID)
	if err != nil || vals["firstname"] != "Ann" || vals["email"] != "ann@example.com" {
		t.Fatalf("contact from the cluster: %v %v", vals, err)
	}
	ar := assets.ClusterReader{C: cl}
	ga, err := ar.BySlug(ctx, a.Slug)
	if err != nil || ga == nil || ga.ID != a.ID || len(ga.Chunks) != 3 || ga.Size != int64(len(data)) {
		t.Fatalf("asset from the cluster: %+v %v", ga, err)
	}
	var buf bytes.Buffer
	if err := assets.WriteTo(ctx, ar, ga, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("file from the cluster: %v (%d bytes)", err, buf.Len())
	}
	// Trashed on the desktop → no longer served by the cluster's trackers.
	if err := c.Forms.Delete(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c)
	if got, err := (forms.ClusterReader{C: cl}).Form(ctx, f.ID); err != nil || got != nil {
		t.Fatalf("trashed form still served: %v %v", got, err)
	}
}

// syncOnce runs a sync cycle, retrying a few times on a slow (loaded, -race) machine.
func syncOnce(t *testing.T, c *core.Core) {
	t.Helper()
	var err error
	for i := 0; i < 3; i++ {
		if err = c.Sync.SyncOnce(context.Background()); err == nil {
			return
		}
	}
	t.Fatal(err)
}
