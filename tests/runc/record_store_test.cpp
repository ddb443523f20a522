// The state store's directory listings: container ids beginning with '.' are listed like any
// other, while write_file_atomic_at's temporaries are not, whatever a valid id looks like.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/model/oci_state.hpp"
#include "common/model/record.hpp"
#include "common/sys/record_store.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

Record record_of(const std::string& id, bool sharer) {
  Record r;
  r.id = id;
  r.name = "n";
  r.netns_dir = "/run/netns";
  r.netns = NsId{4, 42};
  r.status = RecordStatus::kComplete;
  r.sharer = sharer;
  return r;
}

TEST(RecordStore, ListsIdsBeginningWithADotButNotTemporaries) {
  test::TempDir dir("oci-netns-store");
  RecordStore store = RecordStore::open(dir.path(), /*create=*/true);
  // Ids that look like temporaries of the old ".<name>.tmp.<pid>" form, or end in '.'.
  std::vector<std::string> ids{".a", ".b.json.tmp.1", "c.", "d"};
  for (const auto& id : ids) {
    validate_container_id(id);
    store.save(record_of(id, /*sharer=*/true));
    store.add_sharer(NsId{4, 42}, id);
  }
  // What a writer killed between create and rename leaves behind.
  test::write_text(dir.file("containers/..e.json.tmp.99"), "{}");
  std::vector<std::string> listed = store.ids();
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, ids);
  EXPECT_EQ(store.sharers(NsId{4, 42}), ids);
  for (const auto& id : ids) {
    EXPECT_FALSE(is_atomic_temp_name(id)) << id;
    EXPECT_FALSE(is_atomic_temp_name(record_file_name(id))) << id;
    ASSERT_TRUE(store.load(id).has_value()) << id;
  }
}

TEST(RecordStore, TemporaryNamesCannotBeContainerIds) {
  EXPECT_TRUE(is_atomic_temp_name(".."));
  EXPECT_TRUE(is_atomic_temp_name("..x.json.tmp.12"));
  EXPECT_THROW(validate_container_id("..x.json.tmp.12"), InputError);
  EXPECT_FALSE(is_atomic_temp_name(".x.tmp-1"));
}

}  // namespace
}  // namespace ocinetns
