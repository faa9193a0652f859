package tracking

import (
	"strings"
	"sync"

	useragent "github.com/medama-io/go-useragent"

	"magpie/backend/internal/memo"
)

// UAInfo is what a User-Agent says about the visitor's device (Mautic's lead_devices).
type UAInfo struct {
	Type    string `json:"type"`    // desktop | mobile | tablet | tv | bot | unknown
	OS      string `json:"os"`      // Windows, macOS, iOS, Android, Linux ...
	Browser string `json:"browser"` // Chrome, Firefox, Safari ...
	Version string `json:"version"` // browser major version
	Brand   string `json:"brand"`   // Apple, Samsung, Google ... when the UA says
	Bot     bool   `json:"bot"`
}

var (
	uaOnce   sync.Once
	uaParser *useragent.Parser
)

// botWords flag crawlers and tools the trie parser does not know (lower case).
var botWords = []string{"bot", "crawl", "spider", "slurp", "curl/", "wget/", "python-requests", "go-http-client",
	"headlesschrome", "phantomjs", "facebookexternalhit", "preview", "monitor", "scanner", "lighthouse"}

// brands maps a UA fragment (lower case) to a device brand.
var brands = []struct{ frag, brand string }{
	{"iphone", "Apple"}, {"ipad", "Apple"}, {"macintosh", "Apple"},
	{"sm-", "Samsung"}, {"samsung", "Samsung"}, {"pixel", "Google"}, {"huawei", "Huawei"},
	{"xiaomi", "Xiaomi"}, {"redmi", "Xiaomi"}, {"oneplus", "OnePlus"}, {"nokia", "Nokia"},
	{"moto", "Motorola"}, {"lg-", "LG"}, {"sony", "Sony"}, {"oppo", "OPPO"}, {"vivo", "vivo"},
}

// uaCache remembers parsed user agents (a site's traffic has few distinct ones).
var uaCache = memo.Cache[UAInfo]{Max: 4096}

// ParseUA parses a User-Agent header (trie lookup plus a few substring checks, cached).
func ParseUA(ua string) UAInfo { return uaCache.Get(ua, parseUA) }

func parseUA(ua string) UAInfo {
	if strings.TrimSpace(ua) == "" {
		return UAInfo{Type: "unknown", Bot: true}
	}
	uaOnce.Do(func() { uaParser = useragent.NewParser() })
	a := uaParser.Parse(ua)
	info := UAInfo{
		OS:      string(a.OS()),
		Browser: string(a.Browser()),
		Version: a.BrowserVersionMajor(),
		Bot:     a.IsBot(),
	}
	switch {
	case a.IsBot():
		info.Type = "bot"
	case a.IsTablet():
		info.Type = "tablet"
	case a.IsMobile():
		info.Type = "mobile"
	case a.IsTV():
		info.Type = "tv"
	case a.IsDesktop():
		info.Type = "desktop"
	default:
		info.Type = "unknown"
	}
	low := strings.ToLower(ua)
	if !info.Bot {
		for _, w := range botWords {
			if strings.Contains(low, w) {
				info.Bot, info.Type = true, "bot"
				break
			}
		}
	}
	for _, b := range brands {
		if strings.Contains(low, b.frag) {
			info.Brand = b.brand
			break
		}
	}
	return info
}
