# Preview both languages at http://localhost:8000, reloading as you edit
./dev serve
# Build the site into site/, failing on any warning
./dev build
# The static tier only
./dev static
# Bring up the lab and run every tier
./dev test
