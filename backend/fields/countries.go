package fields

import (
	"sort"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"magpie/backend/fold"
)

// CountryInfo is one country: its ISO 3166-1 alpha-2 code, the English name Mautic stores,
// and the French name.
type CountryInfo struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameFR string `json:"nameFr"`
}

const isoCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

var (
	countries     []CountryInfo
	countryByName map[string]CountryInfo
)

func init() {
	en, fr := display.English.Regions(), display.French.Regions()
	countryByName = map[string]CountryInfo{}
	for _, code := range strings.Fields(isoCodes) {
		r := language.MustParseRegion(code)
		c := CountryInfo{Code: code, Name: en.Name(r), NameFR: fr.Name(r)}
		countries = append(countries, c)
		for _, k := range []string{c.Code, c.Name, c.NameFR} {
			countryByName[fold.String(k)] = c
		}
	}
	for alias, code := range map[string]string{"USA": "US", "United States of America": "US", "UK": "GB",
		"Great Britain": "GB", "England": "GB", "Deutschland": "DE", "España": "ES", "Italia": "IT",
		"Russia": "RU", "South Korea": "KR", "Ivory Coast": "CI", "Holland": "NL"} {
		for _, c := range countries {
			if c.Code == code {
				countryByName[fold.String(alias)] = c
			}
		}
	}
	sort.Slice(countries, func(i, j int) bool { return countries[i].Name < countries[j].Name })
}

// Countries lists every country, sorted by English name.
func Countries() []CountryInfo { return countries }

// CountryByName finds a country by English name, French name, ISO code or a common alias,
// ignoring case and accents.
func CountryByName(s string) (CountryInfo, bool) {
	c, ok := countryByName[fold.String(strings.TrimSpace(s))]
	return c, ok
}
