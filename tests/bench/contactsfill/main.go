// Command contactsfill adds N synthetic contacts to a store straight in SQL, for grid and
// search benchmarks on big stores without waiting for `magpie seed` (which writes through the
// sync recorder). Names follow the seed's pools (accents included, 60 last names, so a name
// search matches ~1/60 of the store); date_added spreads over two years. The schema must
// exist: run `magpie --data-dir DIR seed --contacts 0` first.
//
//	go run ./tests/bench/contactsfill -data-dir DIR -n 1000000
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"magpie/backend/fold"
)

var firstNames = strings.Fields(`Olivia Liam Emma Noah Amelia Oliver Sophia James Isabella William
Chloé Léa Zoé Inès Maëlys Anaïs Hélène Céline Élodie Gaëlle Jérôme Théo Raphaël Benoît Loïc François
Gaël Noël Stéphane Aurélien Jürgen Jörg Günther Björn Lukas Jonas Lena Käthe Sören José María Lucía
Sofía Martín Andrés Iñigo Begoña Ramón Álvaro Camille Manon Julien Nicolas Sarah Thomas Laura David Marie Paul`)

var lastNames = strings.Fields(`Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clark
Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Lefèvre Garçon Bézier Bélanger
Côté Gérard Lemaître Hébert Château Prévost Müller Schmidt Schneider Fischer Weiß Schäfer Köhler Groß
Bäcker Jäger García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Muñoz O'Brien
Nguyen Rossi Silva Kowalski Novák Jansen Andersson Nielsen Dupont`)

var places = [][2]string{{"Paris", "France"}, {"Lyon", "France"}, {"Nîmes", "France"}, {"Köln", "Germany"},
	{"München", "Germany"}, {"Zürich", "Switzerland"}, {"Málaga", "Spain"}, {"A Coruña", "Spain"},
	{"London", "United Kingdom"}, {"Montréal", "Canada"}, {"New York", "United States"}, {"Porto", "Portugal"}}

var companies = strings.Fields("Acme Globex Initech Umbrella Hooli Soylent Stark Wayne Tyrell Cyberdyne Élan Bäckerei Niño")

func main() {
	dir := flag.String("data-dir", "", "data dir (schema made by magpie seed --contacts 0)")
	n := flag.Int("n", 1000000, "contacts to add")
	flag.Parse()
	d, err := sql.Open("sqlite3", "file:"+filepath.Join(*dir, "magpie.db")+"?_journal_mode=WAL&_synchronous=OFF&_busy_timeout=5000")
	must(err)
	defer d.Close()
	d.SetMaxOpenConns(1)
	var start int
	must(d.QueryRow("SELECT count(*) FROM contacts").Scan(&start))
	t0 := time.Now()
	base := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	const batch = 20000
	for off := 0; off < *n; off += batch {
		tx, err := d.Begin()
		must(err)
		st, err := tx.Prepare(`INSERT INTO contacts(id, firstname, lastname, email, company, city, country, points,
			date_added, date_modified, last_active, date_identified, firstname_key, lastname_key) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
		must(err)
		for k := off; k < off+batch && k < *n; k++ {
			i := start + k
			h := uint64(i)*2654435761 + 12345
			first, last := firstNames[h%uint64(len(firstNames))], lastNames[(h/61)%uint64(len(lastNames))]
			p := places[(h/7)%uint64(len(places))]
			var company any
			if h%10 < 3 {
				company = companies[(h/13)%uint64(len(companies))]
			}
			added := base + int64(i)*60_000 + int64(h%60_000)
			var active any
			if h%2 == 0 {
				active = added + int64(h%86_400_000)
			}
			email := fmt.Sprintf("%s.%s%d@example.com", ascii(first), ascii(last), i)
			id := fmt.Sprintf("01900000-%04x-7%03x-8%03x-%012x", (i>>28)&0xffff, (i>>16)&0xfff, (i>>4)&0xfff, i)
			_, err := st.Exec(id, first, last, email, company, p[0], p[1], int(h%200), added, added, active, added,
				fold.String(first), fold.String(last))
			must(err)
		}
		st.Close()
		must(tx.Commit())
	}
	fmt.Printf("added %d contacts in %s\n", *n, time.Since(t0).Round(time.Millisecond))
}

func ascii(s string) string {
	return strings.NewReplacer(" ", "", "'", "").Replace(fold.String(s))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "contactsfill:", err)
		os.Exit(1)
	}
}
