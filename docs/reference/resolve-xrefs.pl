#!/usr/bin/perl
# Rewrites the <xref href="UID"></xref> tags that docfx's markdown output leaves in the text of XML doc comments
# (GitHub would render them as nothing) into links: a page of this reference (with the member's anchor when the
# page has one) for the library's own types, the .NET API browser for System types. The links are HTML
# (<a><code>), not Markdown, because some of the text sits in HTML blocks (<p>, <list>) where Markdown is not parsed.
#   perl resolve-xrefs.pl DIR   (rewrites every DIR/*.md in place)
use strict;
use warnings;

my $dir = shift or die "usage: resolve-xrefs.pl DIR\n";
opendir(my $dh, $dir) or die "cannot read $dir: $!\n";
my @pages = sort grep { /\.md$/ } readdir($dh);
closedir($dh);
my %page = map { (my $uid = $_) =~ s/\.md$//; ($uid => $_) } @pages;
my %text;
for my $file (@pages) {
    open(my $fh, '<', "$dir/$file") or die "cannot read $dir/$file: $!\n";
    local $/;
    $text{$file} = <$fh>;
    close($fh);
}

sub html_link { my ($display, $target) = @_; return "<a href=\"$target\"><code>$display</code></a>"; }

sub unescape { my ($s) = @_; $s =~ s/%([0-9a-fA-F]{2})/chr(hex($1))/ge; return $s; }

sub link_for {
    my ($href) = @_;
    my $uid = unescape($href);
    (my $base = $uid) =~ s/\(.*$//;
    my @segments = split /\./, $base;
    for (my $n = @segments; $n > 0; $n--) {
        my $type = join('.', @segments[0 .. $n - 1]);
        next unless exists $page{$type};
        my $file = $page{$type};
        my @member = @segments[$n .. $#segments];
        my $display = join('.', $segments[$n - 1], @member);
        $display =~ s/``?\d+//g;
        return html_link($display, $file) unless @member;
        (my $anchor = $uid) =~ s/[^A-Za-z0-9]/_/g;
        my $target = $text{$file} =~ /id="\Q$anchor\E"/ ? "$file#$anchor" : $file;
        return html_link($display, $target);
    }
    my $display = $segments[-1];
    $display =~ s/``?\d+//g;
    (my $path = lc $base) =~ s/``?(\d+)/-$1/g;
    return html_link($display, "https://learn.microsoft.com/dotnet/api/$path");
}

for my $file (@pages) {
    my $text = $text{$file};
    next unless $text =~ s/<xref href="([^"]*)"[^>]*><\/xref>/link_for($1)/ge;
    open(my $fh, '>', "$dir/$file") or die "cannot write $dir/$file: $!\n";
    print $fh $text;
    close($fh);
}
