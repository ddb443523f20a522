// Unit tests for name templates and iproute2-compatible name validation.
#include "common/model/naming.hpp"

#include <gtest/gtest.h>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef";

std::string render(const std::string& tmpl, std::map<std::string, std::string> ann = {}) {
  return render_netns_name(tmpl, kId, ann);
}

std::string render_error(const std::string& tmpl, std::map<std::string, std::string> ann = {},
                         const std::string& id = kId) {
  try {
    render_netns_name(tmpl, id, ann);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Naming, Placeholders) {
  EXPECT_EQ(render("{id}"), kId);
  EXPECT_EQ(render("{short_id}"), "0123456789ab");
  EXPECT_EQ(render("ctr-{short_id}"), "ctr-0123456789ab");
  EXPECT_EQ(render("{annotation:pod}", {{"pod", "web-1"}}), "web-1");
  EXPECT_EQ(render("{annotation:pod}"), kId);
  EXPECT_EQ(render("{annotation:pod|short_id}"), "0123456789ab");
  EXPECT_EQ(render("{annotation:pod|id}"), kId);
  EXPECT_EQ(render("x-{annotation:pod|none}"), "x-none");
  EXPECT_EQ(
      render("{annotation:io.kubernetes.pod.name|short_id}", {{"io.kubernetes.pod.name", "nginx"}}),
      "nginx");
}

TEST(Naming, ShortIdOfShortId) {
  EXPECT_EQ(render_netns_name("{short_id}", "abc", {}), "abc");
}

TEST(Naming, AnnotationThatWouldEscapeIsRefused) {
  EXPECT_EQ(render_error("{annotation:pod}", {{"pod", "../etc"}}),
            "annotation pod: must not contain '/'");
  EXPECT_EQ(render_error("{annotation:pod}", {{"pod", ".."}}),
            "annotation pod: must not be . or ..");
  EXPECT_EQ(render_error("{annotation:pod}", {{"pod", "a b"}}),
            "annotation pod: character 0x20 not allowed (use A-Z a-z 0-9 _ . -)");
  EXPECT_EQ(render_error("{annotation:pod}", {{"pod", ""}}), "annotation pod: must not be empty");
  EXPECT_EQ(render_error("{annotation:pod}", {{"pod", "-x"}}),
            "annotation pod: must not start with '.' or '-'");
}

TEST(Naming, ValidationFollowsIproute2PlusConservativeSet) {
  EXPECT_NO_THROW(validate_netns_name("cni-1234_ab.c-d"));
  EXPECT_THROW(validate_netns_name(""), InputError);
  EXPECT_THROW(validate_netns_name("."), InputError);
  EXPECT_THROW(validate_netns_name(".."), InputError);
  EXPECT_THROW(validate_netns_name("a/b"), InputError);
  EXPECT_THROW(validate_netns_name(".hidden"), InputError);
  EXPECT_THROW(validate_netns_name("a\nb"), InputError);
  EXPECT_THROW(validate_netns_name("caf\xc3\xa9"), InputError);
  EXPECT_NO_THROW(validate_netns_name(std::string(255, 'a')));
  EXPECT_THROW(validate_netns_name(std::string(256, 'a')), InputError);
}

TEST(Naming, RenderedNameLongerThanNameMaxIsRefused) {
  std::string id(200, 'a');
  EXPECT_EQ(render_error("{id}-{id}", {}, id), "netns name: longer than 255 characters");
}

TEST(Naming, TemplateValidation) {
  EXPECT_NO_THROW(validate_name_template("{id}"));
  EXPECT_NO_THROW(validate_name_template("c-{annotation:k|short_id}"));
  EXPECT_THROW(validate_name_template(""), InputError);
  EXPECT_THROW(validate_name_template("static"), InputError);
  EXPECT_THROW(validate_name_template("{idd}"), InputError);
  EXPECT_THROW(validate_name_template("{id"), InputError);
  EXPECT_THROW(validate_name_template("id}"), InputError);
  EXPECT_THROW(validate_name_template("{annotation:}"), InputError);
  EXPECT_THROW(validate_name_template("{{id}}"), InputError);
}

}  // namespace
}  // namespace ocinetns
